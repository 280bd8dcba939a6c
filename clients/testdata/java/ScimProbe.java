import java.io.FileInputStream;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Sends one HTTPS GET with HttpsURLConnection, the way a Java SCIM client
 * such as Okta's does, and prints exactly one line: "OK <status>" when an
 * HTTP response came, or the exception the application gets, as
 * Throwable.toString() prints it ("<exception class>: <message>").
 *
 * Usage: java ScimProbe.java URL [--cacert PEM] [--connect-timeout MS]
 * [--read-timeout MS] [--authorization VALUE]
 *
 * --cacert replaces the JDK's cacerts with the certificates of one PEM file,
 * held in an in-memory trust store. Protocol limits come from the usual
 * system property, -Djdk.tls.client.protocols.
 */
public final class ScimProbe {
    public static void main(String[] args) {
        try {
            System.out.println(run(args));
        } catch (Exception e) {
            System.out.println(e.toString());
        }
    }

    private static String run(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("missing URL argument");
        }
        URL url = new URL(args[0]);
        String caFile = null;
        String authorization = null;
        int connectTimeout = 5000;
        int readTimeout = 5000;
        for (int i = 1; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + args[i]);
            }
            String value = args[i + 1];
            switch (args[i]) {
                case "--cacert":
                    caFile = value;
                    break;
                case "--connect-timeout":
                    connectTimeout = Integer.parseInt(value);
                    break;
                case "--read-timeout":
                    readTimeout = Integer.parseInt(value);
                    break;
                case "--authorization":
                    authorization = value;
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }

        HttpURLConnection conn = (HttpURLConnection) url.openConnection();
        if (caFile != null && conn instanceof HttpsURLConnection) {
            ((HttpsURLConnection) conn).setSSLSocketFactory(contextTrusting(caFile).getSocketFactory());
        }
        conn.setConnectTimeout(connectTimeout);
        conn.setReadTimeout(readTimeout);
        conn.setRequestProperty("Accept", "application/scim+json");
        if (authorization != null) {
            conn.setRequestProperty("Authorization", authorization);
        }
        int status = conn.getResponseCode();
        conn.disconnect();
        return "OK " + status;
    }

    // contextTrusting returns a TLS context whose only trust anchors are the
    // certificates in the PEM file.
    private static SSLContext contextTrusting(String pemFile) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        try (InputStream in = new FileInputStream(pemFile)) {
            int n = 0;
            for (Certificate cert : factory.generateCertificates(in)) {
                store.setCertificateEntry("ca" + n, cert);
                n++;
            }
            if (n == 0) {
                throw new IllegalArgumentException("no certificate in " + pemFile);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
