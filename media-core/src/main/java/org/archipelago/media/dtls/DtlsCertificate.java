package org.archipelago.media.dtls;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;

/**
 * This server's DTLS identity: an ECDSA P-256 key and a self-signed X.509 certificate.
 *
 * <p>WebRTC does not use PKI: the peer checks only that our certificate hashes to the
 * {@code a=fingerprint} we put in our SDP (RFC 5763 §5, RFC 8827 §6.5), so a certificate made at
 * start-up is enough. P-256 because every browser supports ECDSA on it and it is far cheaper to
 * sign with than RSA (RFC 8827 §6.5 requires ECDSA P-256 support of all WebRTC endpoints).
 *
 * <p>Immutable and thread-safe; one instance is normally shared by every transport of the server.
 */
public final class DtlsCertificate {
    /** Default subject and issuer common name of generated certificates. */
    public static final String DEFAULT_COMMON_NAME = "archipelago";

    /** Tolerates peers whose clocks run behind ours (browsers do not check the validity, others might). */
    private static final Duration VALID_BEFORE_NOW = Duration.ofDays(1);
    /** Short-lived on purpose: a generated identity is meant to last one server run (RFC 8826 §4.3.2.3). */
    private static final Duration VALID_AFTER_NOW = Duration.ofDays(30);

    private static final ASN1ObjectIdentifier P256 = SECObjectIdentifiers.secp256r1;
    private static final String PEM_CERTIFICATE = "CERTIFICATE";
    private static final String PEM_PKCS8_KEY = "PRIVATE KEY";

    private final byte[] derCertificate;
    private final PrivateKeyInfo privateKeyInfo;
    private final ECPrivateKeyParameters privateKey;
    private final DtlsFingerprint fingerprint;

    private DtlsCertificate(byte[] derCertificate, PrivateKeyInfo privateKeyInfo, ECPrivateKeyParameters privateKey) {
        this.derCertificate = derCertificate;
        this.privateKeyInfo = privateKeyInfo;
        this.privateKey = privateKey;
        this.fingerprint = fingerprintOf(derCertificate);
    }

    /** Generates a fresh key pair and a self-signed certificate for {@code CN=archipelago}, valid around now. */
    public static DtlsCertificate generate() {
        return generate(DEFAULT_COMMON_NAME, Instant.now(), new SecureRandom());
    }

    /**
     * Generates a fresh P-256 key pair and a self-signed certificate.
     *
     * @param commonName subject and issuer CN
     * @param now        centre of the validity window (valid from a day before to 30 days after)
     * @param random     source for the key and the serial number
     */
    public static DtlsCertificate generate(String commonName, Instant now, SecureRandom random) {
        Objects.requireNonNull(commonName, "commonName");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(random, "random");
        ECNamedDomainParameters domain = p256Domain();
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(domain, random));
        AsymmetricCipherKeyPair keyPair = generator.generateKeyPair();
        ECPrivateKeyParameters privateKey = (ECPrivateKeyParameters) keyPair.getPrivate();
        try {
            SubjectPublicKeyInfo publicKeyInfo =
                    SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(keyPair.getPublic());
            X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
            // RFC 5280 §4.1.2.2: a positive integer of at most 20 octets; 63 random bits suffice to
            // make two of our certificates (and so their fingerprints) distinct.
            BigInteger serial = new BigInteger(63, random).add(BigInteger.ONE);
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name, serial,
                    Date.from(now.minus(VALID_BEFORE_NOW)), Date.from(now.plus(VALID_AFTER_NOW)),
                    name, publicKeyInfo);
            AlgorithmIdentifier signatureAlgorithm =
                    new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
            AlgorithmIdentifier digestAlgorithm =
                    new DefaultDigestAlgorithmIdentifierFinder().find(signatureAlgorithm);
            ContentSigner signer = new BcECContentSignerBuilder(signatureAlgorithm, digestAlgorithm).build(privateKey);
            byte[] der = builder.build(signer).getEncoded();
            return new DtlsCertificate(der, PrivateKeyInfoFactory.createPrivateKeyInfo(privateKey), privateKey);
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("could not create a self-signed certificate", e);
        }
    }

    /**
     * Loads a certificate and its key from PEM files: the first {@code CERTIFICATE} block of
     * {@code certificateFile} and the first PKCS#8 {@code PRIVATE KEY} block of {@code keyFile}.
     *
     * @throws IOException              if a file cannot be read
     * @throws IllegalArgumentException if the content is not a P-256 ECDSA certificate and the
     *                                  unencrypted PKCS#8 key that belongs to it
     */
    public static DtlsCertificate load(Path certificateFile, Path keyFile) throws IOException {
        return fromPem(Files.readString(certificateFile, StandardCharsets.US_ASCII),
                Files.readString(keyFile, StandardCharsets.US_ASCII));
    }

    /** Like {@link #load} but from PEM text. */
    public static DtlsCertificate fromPem(String certificatePem, String privateKeyPem) {
        byte[] der = readPem(certificatePem, PEM_CERTIFICATE);
        byte[] pkcs8 = readPem(privateKeyPem, PEM_PKCS8_KEY);
        Certificate certificate;
        PrivateKeyInfo keyInfo;
        AsymmetricKeyParameter key;
        ECPublicKeyParameters certificateKey;
        try {
            certificate = Certificate.getInstance(der);
            keyInfo = PrivateKeyInfo.getInstance(pkcs8);
            key = PrivateKeyFactory.createKey(keyInfo);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("malformed certificate or PKCS#8 private key: " + e.getMessage(), e);
        }
        // Our DTLS endpoints offer only ECDHE_ECDSA suites, so the identity must be an EC key.
        if (!isP256(certificate.getSubjectPublicKeyInfo())) {
            throw new IllegalArgumentException("certificate key must be ECDSA P-256 (secp256r1)");
        }
        try {
            certificateKey = (ECPublicKeyParameters) PublicKeyFactory.createKey(certificate.getSubjectPublicKeyInfo());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("malformed certificate public key: " + e.getMessage(), e);
        }
        if (!(key instanceof ECPrivateKeyParameters ecKey)) {
            throw new IllegalArgumentException("private key must be an EC key, got " + key.getClass().getSimpleName());
        }
        // The key must be the certificate's: Q = d·G (SEC 1 §3.2.1).
        ECPoint derived = new FixedPointCombMultiplier()
                .multiply(certificateKey.getParameters().getG(), ecKey.getD()).normalize();
        if (!derived.equals(certificateKey.getQ().normalize())) {
            throw new IllegalArgumentException("private key does not match the certificate's public key");
        }
        ECPrivateKeyParameters withNamedCurve = new ECPrivateKeyParameters(ecKey.getD(), p256Domain());
        return new DtlsCertificate(der, keyInfo, withNamedCurve);
    }

    /** SHA-256 fingerprint of a DER-encoded certificate, e.g. the one a peer presented. */
    public static DtlsFingerprint fingerprintOf(byte[] derCertificate) {
        return DtlsFingerprint.compute(DtlsFingerprint.SHA_256, derCertificate);
    }

    /** This certificate's SHA-256 fingerprint, for our SDP's {@code a=fingerprint}. */
    public DtlsFingerprint fingerprint() {
        return fingerprint;
    }

    /** {@code sha-256}. */
    public String fingerprintAlgorithm() {
        return fingerprint.algorithm();
    }

    /** Upper-case colon-separated hex of the SHA-256 hash, e.g. {@code AB:CD:...}. */
    public String fingerprintHex() {
        return fingerprint.hex();
    }

    /** The DER encoding of the certificate (a copy). */
    public byte[] derCertificate() {
        return derCertificate.clone();
    }

    /** The certificate as a PEM {@code CERTIFICATE} block. */
    public String certificatePem() {
        return writePem(PEM_CERTIFICATE, derCertificate);
    }

    /** The private key as an unencrypted PKCS#8 PEM {@code PRIVATE KEY} block: keep it secret. */
    public String privateKeyPem() {
        try {
            return writePem(PEM_PKCS8_KEY, privateKeyInfo.getEncoded());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ECPrivateKeyParameters privateKey() {
        return privateKey;
    }

    byte[] derCertificateShared() {
        return derCertificate;
    }

    @Override
    public String toString() {
        return "DtlsCertificate{" + fingerprint.toSdpValue() + "}";
    }

    private static ECNamedDomainParameters p256Domain() {
        X9ECParameters curve = ECNamedCurveTable.getByOID(P256);
        return new ECNamedDomainParameters(P256, curve);
    }

    private static boolean isP256(SubjectPublicKeyInfo info) {
        AlgorithmIdentifier algorithm = info.getAlgorithm();
        return X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm.getAlgorithm())
                && P256.equals(algorithm.getParameters());
    }

    private static byte[] readPem(String pem, String type) {
        Objects.requireNonNull(pem, type);
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            for (PemObject object = reader.readPemObject(); object != null; object = reader.readPemObject()) {
                if (type.equals(object.getType())) {
                    return object.getContent();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed PEM: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("no PEM block of type " + type
                + (PEM_PKCS8_KEY.equals(type) ? " (convert SEC1/encrypted keys: openssl pkcs8 -topk8 -nocrypt)" : ""));
    }

    private static String writePem(String type, byte[] content) {
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject(type, content));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
