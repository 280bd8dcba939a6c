// A minimal HTTPS server on the JDK's own TLS stack (JSSE), for tests. It is
// run in source-file mode ("java jsseserver.java ...") by StartJSSE, so the
// tests need a JDK but no build step.
//
// Usage: java jsseserver.java CERT.pem KEY.pem PROTOCOLS...
//
// CERT.pem contains one PEM certificate, KEY.pem an unencrypted PKCS#8 RSA key.
// Each PROTOCOLS argument opens one listener on a free 127.0.0.1 port, with
// that comma-separated list of enabled protocols ("TLSv1.3,TLSv1.2"), or
// "default" for the JDK's defaults. For each listener, in argument order,
// the server prints "LISTENING 127.0.0.1:PORT" on stdout, then "READY" once
// all listen. Every connection gets one HTTP/1.1 200 response.
//
// A listener that enables TLSv1 or TLSv1.1 takes those two versions out of
// the jdk.tls.disabledAlgorithms security property for the whole JVM, which
// is what an administrator of a legacy Java server does. The property must
// change before the first TLS class loads, so it applies to every listener.

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

public class JSSEServer {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: java jsseserver.java CERT.pem KEY.pem PROTOCOLS...");
            System.exit(2);
        }
        boolean legacy = false;
        for (int i = 2; i < args.length; i++) {
            if (args[i].contains("TLSv1,") || args[i].endsWith("TLSv1") || args[i].contains("TLSv1.1")) {
                legacy = true;
            }
        }
        if (legacy) {
            String disabled = Security.getProperty("jdk.tls.disabledAlgorithms");
            List<String> kept = new ArrayList<>();
            for (String item : disabled.split(",")) {
                String name = item.trim();
                if (!name.equals("TLSv1") && !name.equals("TLSv1.1")) {
                    kept.add(name);
                }
            }
            Security.setProperty("jdk.tls.disabledAlgorithms", String.join(", ", kept));
        }

        SSLContext context = newContext(Path.of(args[0]), Path.of(args[1]));
        List<SSLServerSocket> listeners = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
                    .createServerSocket(0, 64, InetAddress.getByName("127.0.0.1"));
            if (!args[i].equals("default")) {
                server.setEnabledProtocols(args[i].split(","));
            }
            listeners.add(server);
            System.out.println("LISTENING 127.0.0.1:" + server.getLocalPort());
        }
        System.out.println("READY");
        System.out.flush();

        for (SSLServerSocket server : listeners) {
            Thread acceptor = new Thread(() -> acceptLoop(server));
            acceptor.start();
        }
        // The Go side stops the server by closing stdin or killing the JVM.
        while (System.in.read() >= 0) {
        }
        System.exit(0);
    }

    static SSLContext newContext(Path certFile, Path keyFile) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        Certificate cert = factory.generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certFile)));
        String keyPem = Files.readString(keyFile, StandardCharsets.US_ASCII)
                .replace("-----BEGIN PRIVATE KEY-----", "")
                .replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(keyPem)));

        char[] password = "test".toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", key, password, new Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    static void acceptLoop(SSLServerSocket server) {
        while (true) {
            try {
                Socket socket = server.accept();
                Thread handler = new Thread(() -> serve((SSLSocket) socket));
                handler.setDaemon(true);
                handler.start();
            } catch (Exception e) {
                System.err.println("jsseserver: accept failed: " + e);
                return;
            }
        }
    }

    // serve completes the handshake, reads the request head and sends one
    // response. Handshake failures are the point of most tests, so they
    // are not logged.
    static void serve(SSLSocket socket) {
        try (socket) {
            socket.setSoTimeout(10000);
            socket.startHandshake();
            InputStream in = socket.getInputStream();
            int matched = 0;
            byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int total = 0; matched < end.length && total < 65536; total++) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = (b == end[matched]) ? matched + 1 : (b == end[0] ? 1 : 0);
            }
            byte[] body = "jsse test server\n".getBytes(StandardCharsets.US_ASCII);
            String head = "HTTP/1.1 200 OK\r\nServer: jsse-test\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        } catch (Exception e) {
            // The client went away or the handshake failed.
        }
    }
}
