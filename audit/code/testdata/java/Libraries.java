import javax.net.ssl.SSLContext;
import okhttp3.ConnectionSpec;
import okhttp3.TlsVersion;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;

/** TLS pins of OkHttp and Apache HttpClient 4 for the code audit tests. */
public class Libraries {
    static ConnectionSpec okhttp() {
        return new ConnectionSpec.Builder(ConnectionSpec.MODERN_TLS)
                .tlsVersions(TlsVersion.TLS_1_0, TlsVersion.TLS_1_1)
                .build();
    }

    static ConnectionSpec compatible() {
        return ConnectionSpec.COMPATIBLE_TLS;
    }

    static SSLConnectionSocketFactory apache(SSLContext ctx) {
        return new SSLConnectionSocketFactory(ctx, new String[] {"TLSv1"}, null, SSLConnectionSocketFactory.getDefaultHostnameVerifier());
    }
}
