package org.archipelago.media.dtls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DtlsCertificateTest {

    @Test
    void generatesASelfSignedP256CertificateValidAroundNow() throws Exception {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        DtlsCertificate certificate = DtlsCertificate.generate("archipelago", now, new SecureRandom());
        X509Certificate x509 = parse(certificate.derCertificate());

        assertEquals("CN=archipelago", x509.getSubjectX500Principal().getName());
        assertEquals(x509.getSubjectX500Principal(), x509.getIssuerX500Principal());
        x509.verify(x509.getPublicKey()); // self-signed, throws if not
        assertEquals("SHA256withECDSA", x509.getSigAlgName());
        assertEquals(256, ((ECPublicKey) x509.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        assertTrue(x509.getSerialNumber().signum() > 0);
        x509.checkValidity(Date.from(now));
        assertTrue(x509.getNotBefore().toInstant().isBefore(now));
        assertTrue(x509.getNotAfter().toInstant().isAfter(now));
    }

    @Test
    void fingerprintIsSha256OfTheDerInSdpFormat() throws Exception {
        DtlsCertificate certificate = DtlsCertificate.generate();
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(certificate.derCertificate());

        assertEquals("sha-256", certificate.fingerprintAlgorithm());
        assertTrue(certificate.fingerprintHex().matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), certificate.fingerprintHex());
        assertEquals(HexFormat.ofDelimiter(":").withUpperCase().formatHex(expected), certificate.fingerprintHex());
        assertEquals("sha-256 " + certificate.fingerprintHex(), certificate.fingerprint().toSdpValue());
        assertEquals(certificate.fingerprint(), DtlsCertificate.fingerprintOf(certificate.derCertificate()));
    }

    @Test
    void eachGenerationIsANewIdentity() {
        DtlsCertificate a = DtlsCertificate.generate();
        DtlsCertificate b = DtlsCertificate.generate();
        assertNotEquals(a.fingerprint(), b.fingerprint());
        assertNotEquals(a.privateKeyPem(), b.privateKeyPem());
    }

    @Test
    void pemFilesRoundTrip(@TempDir Path dir) throws Exception {
        DtlsCertificate original = DtlsCertificate.generate();
        Path certFile = dir.resolve("cert.pem");
        Path keyFile = dir.resolve("key.pem");
        Files.writeString(certFile, original.certificatePem());
        Files.writeString(keyFile, original.privateKeyPem());

        DtlsCertificate loaded = DtlsCertificate.load(certFile, keyFile);

        assertTrue(original.certificatePem().startsWith("-----BEGIN CERTIFICATE-----"));
        assertTrue(original.privateKeyPem().startsWith("-----BEGIN PRIVATE KEY-----"));
        assertArrayEquals(original.derCertificate(), loaded.derCertificate());
        assertEquals(original.fingerprint(), loaded.fingerprint());
        assertEquals(original.privateKeyPem(), loaded.privateKeyPem());
        // That a loaded identity also signs handshakes is covered by DtlsTransportTest's server.
    }

    @Test
    void rejectsAKeyThatIsNotTheCertificates() {
        DtlsCertificate a = DtlsCertificate.generate();
        DtlsCertificate b = DtlsCertificate.generate();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DtlsCertificate.fromPem(a.certificatePem(), b.privateKeyPem()));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    }

    @Test
    void rejectsMissingOrMalformedPem() {
        DtlsCertificate a = DtlsCertificate.generate();
        assertThrows(IllegalArgumentException.class, () -> DtlsCertificate.fromPem("", a.privateKeyPem()));
        assertThrows(IllegalArgumentException.class, () -> DtlsCertificate.fromPem(a.certificatePem(), "junk"));
        // A key where the certificate should be, and vice versa.
        assertThrows(IllegalArgumentException.class,
                () -> DtlsCertificate.fromPem(a.privateKeyPem(), a.certificatePem()));
        String corrupted = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assertThrows(IllegalArgumentException.class, () -> DtlsCertificate.fromPem(corrupted, a.privateKeyPem()));
    }

    private static X509Certificate parse(byte[] der) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }
}
