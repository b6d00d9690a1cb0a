package org.archipelago.server.http;

import org.archipelago.media.dtls.DtlsCertificate;
import org.archipelago.server.ArchipelagoServer;
import org.archipelago.server.ConfigException;
import org.archipelago.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With a certificate configured, the one HTTP port speaks TLS (browsers need a secure context). */
class HttpsTest {
    @TempDir
    Path dir;

    @Test
    void servesHttpsWithTheConfiguredCertificate() throws Exception {
        DtlsCertificate certificate = DtlsCertificate.generate();
        Path cert = Files.writeString(dir.resolve("cert.pem"), certificate.certificatePem());
        Path key = Files.writeString(dir.resolve("key.pem"), certificate.privateKeyPem());
        Path config = Files.writeString(dir.resolve("config.yaml"), "http:\n  port: 0\n  tlsCertificateFile: " + cert
                + "\n  tlsPrivateKeyFile: " + key + "\nmedia:\n  port: 0\n");
        try (ArchipelagoServer server = ArchipelagoServer.start(ServerConfig.load(config))) {
            URL url = new URL("https://127.0.0.1:" + server.httpAddress().getPort() + "/whip/math");

            // A client that trusts the certificate gets HTTP over TLS.
            HttpsURLConnection trusting = (HttpsURLConnection) url.openConnection();
            trusting.setSSLSocketFactory(trusting(certificate).getSocketFactory());
            trusting.setHostnameVerifier((host, session) -> true); // a self-signed test certificate names no host
            trusting.setRequestMethod("OPTIONS");
            assertEquals(204, trusting.getResponseCode());
            assertEquals("application/sdp", trusting.getHeaderField("Accept-Post"));

            // One that does not trust it refuses the connection: it really is TLS with that certificate.
            HttpsURLConnection untrusting = (HttpsURLConnection) url.openConnection();
            untrusting.setHostnameVerifier((host, session) -> true);
            assertThrows(SSLHandshakeException.class, untrusting::getResponseCode);
        }
    }

    @Test
    void unusableFilesAreAConfigurationErrorNamingTheKeys() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "not a certificate");
        Path key = Files.writeString(dir.resolve("key.pem"), "not a key");
        Path config = Files.writeString(dir.resolve("config.yaml"), "http:\n  port: 0\n  tlsCertificateFile: " + cert
                + "\n  tlsPrivateKeyFile: " + key + "\nmedia:\n  port: 0\n");
        ConfigException error = assertThrows(ConfigException.class, () -> ArchipelagoServer.start(ServerConfig.load(config)).close());
        assertTrue(error.getMessage().contains("'http.tlsCertificateFile'"), error.getMessage());
        Path half = Files.writeString(dir.resolve("half.yaml"), "http:\n  tlsCertificateFile: " + cert + "\n");
        assertTrue(assertThrows(ConfigException.class, () -> ServerConfig.load(half)).getMessage().contains("must be given together"));
    }

    private static SSLContext trusting(DtlsCertificate certificate) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("server", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(certificate.certificatePem().getBytes(StandardCharsets.US_ASCII))));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
