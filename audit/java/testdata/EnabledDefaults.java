// Prints the protocols and cipher suites that the JVM's default SSLContext
// enables on its server and client sockets, one line each, for the audit's
// comparison with a real JDK:
//
//   server-protocols TLSv1.3,TLSv1.2
//   server-suites TLS_AES_256_GCM_SHA384,...
//   client-protocols ...
//   client-suites ...
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

public class EnabledDefaults {
    public static void main(String[] args) throws Exception {
        SSLContext context = SSLContext.getDefault();
        try (SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
                SSLSocket client = (SSLSocket) context.getSocketFactory().createSocket()) {
            System.out.println("server-protocols " + String.join(",", server.getEnabledProtocols()));
            System.out.println("server-suites " + String.join(",", server.getEnabledCipherSuites()));
            System.out.println("client-protocols " + String.join(",", client.getEnabledProtocols()));
            System.out.println("client-suites " + String.join(",", client.getEnabledCipherSuites()));
        }
    }
}
