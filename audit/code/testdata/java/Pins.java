import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * TLS pins for the code audit tests. A Javadoc that shows
 * SSLContext.getInstance("TLSv1") is no pin.
 */
public class Pins {
    // SSLContext.getInstance("TLSv1") in a line comment is no pin.
    /* setEnabledProtocols(new String[]{"TLSv1"}) in a block comment is no pin. */

    static SSLContext legacy() throws Exception {
        return SSLContext.getInstance("TLSv1");
    }

    static SSLContext capped() throws Exception {
        return SSLContext.getInstance("TLSv1.2");
    }

    static SSLContext ibm() throws Exception {
        return SSLContext.getInstance("TLS");
    }

    static void enable(SSLSocket socket) {
        socket.setEnabledProtocols(new String[] {"TLSv1", "TLSv1.1"});
    }

    static String traps() {
        String TLSv1 = "TLSv1 is disabled";
        String block = """
            SSLContext.getInstance("TLSv1");
            """;
        char quote = '"';
        System.out.println("call SSLContext.getInstance(\"TLSv1\") no more");
        return TLSv1 + block + quote;
    }
}
