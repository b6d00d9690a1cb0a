package org.archipelago.media.dtls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DtlsFingerprintTest {
    /** FIPS 180-2 Appendix B.1: SHA-256("abc"). */
    private static final String SHA256_ABC =
            "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD";
    private static final byte[] ABC = "abc".getBytes(StandardCharsets.US_ASCII);

    @Test
    void computesUpperCaseColonHexOfTheHash() {
        DtlsFingerprint fingerprint = DtlsFingerprint.compute("sha-256", ABC);
        assertEquals("sha-256", fingerprint.algorithm());
        assertEquals(SHA256_ABC, fingerprint.hex());
        assertEquals("sha-256 " + SHA256_ABC, fingerprint.toSdpValue());
    }

    @Test
    void parsingIsCaseInsensitiveAndRoundTrips() {
        DtlsFingerprint lower = DtlsFingerprint.parse("SHA-256 " + SHA256_ABC.toLowerCase());
        assertEquals(DtlsFingerprint.compute("sha-256", ABC), lower);
        assertEquals("sha-256", lower.algorithm());
        assertEquals(SHA256_ABC, lower.hex());
        assertEquals(lower, DtlsFingerprint.parse(lower.toSdpValue()));
        assertTrue(lower.matches(ABC));
        assertFalse(lower.matches("abd".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void otherRfc8122HashesWork() {
        DtlsFingerprint sha1 = DtlsFingerprint.compute("sha-1", ABC);
        // FIPS 180-2 Appendix A.1: SHA-1("abc").
        assertEquals("A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D", sha1.hex());
        assertTrue(DtlsFingerprint.of("sha-1", sha1.hex()).matches(ABC));
        assertEquals(48, DtlsFingerprint.compute("sha-384", ABC).hash().length);
        assertEquals(64, DtlsFingerprint.compute("sha-512", ABC).hash().length);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "md5 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF", // not allowed: weak
            "sha-256 BA:78",                                          // too short
            "sha-256 " + SHA256_ABC + ":00",                          // too long
            "sha-256 BA-78-16-BF-8F-01-CF-EA-41-41-40-DE-5D-AE-22-23-B0-03-61-A3-96-17-7A-9C-B4-10-FF-61-F2-00-15-AD",
            "sha-256 ZZ:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD",
            "sha-256",                                                // no hash at all
    })
    void rejectsMalformedFingerprints(String sdpValue) {
        assertThrows(IllegalArgumentException.class, () -> DtlsFingerprint.parse(sdpValue));
    }
}
