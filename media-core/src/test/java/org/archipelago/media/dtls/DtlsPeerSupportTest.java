package org.archipelago.media.dtls;

import org.archipelago.media.srtp.SrtpProfile;
import org.bouncycastle.tls.UseSRTPData;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.archipelago.media.srtp.SrtpProfile.AEAD_AES_128_GCM;
import static org.archipelago.media.srtp.SrtpProfile.AES128_CM_HMAC_SHA1_80;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** use_srtp negotiation rules of RFC 5764 §4.1.1, table by table. */
class DtlsPeerSupportTest {
    private static final List<SrtpProfile> OURS = List.of(AEAD_AES_128_GCM, AES128_CM_HMAC_SHA1_80);
    private static final byte[] NO_MKI = new byte[0];

    @Test
    void offerListsProfileIdsInOrderWithEmptyMki() {
        UseSRTPData offer = DtlsPeerSupport.offer(OURS);
        assertArrayEquals(new int[] {0x0007, 0x0001}, offer.getProtectionProfiles());
        assertEquals(0, offer.getMki().length);
    }

    @Test
    void serverSelectsByItsOwnPreference() {
        record Row(int[] clientOffers, SrtpProfile expected) { }
        Row[] rows = {
                new Row(new int[] {0x0007, 0x0001}, AEAD_AES_128_GCM),
                new Row(new int[] {0x0001, 0x0007}, AEAD_AES_128_GCM),      // our order wins
                new Row(new int[] {0x0001}, AES128_CM_HMAC_SHA1_80),
                new Row(new int[] {0x0002, 0x0001}, AES128_CM_HMAC_SHA1_80), // 0x0002 (SHA1_32) unsupported
                new Row(new int[] {0x0002, 0x0008}, null),                   // nothing in common
        };
        for (Row row : rows) {
            assertEquals(row.expected(), DtlsPeerSupport.select(new UseSRTPData(row.clientOffers(), NO_MKI), OURS),
                    Arrays.toString(row.clientOffers()));
        }
        assertNull(DtlsPeerSupport.select(null, OURS), "client sent no use_srtp");
    }

    @Test
    void clientAcceptsOnlyOneOfferedProfileWithoutMki() {
        List<SrtpProfile> offered = List.of(AES128_CM_HMAC_SHA1_80);
        assertEquals(AES128_CM_HMAC_SHA1_80,
                DtlsPeerSupport.checkServerChoice(new UseSRTPData(new int[] {0x0001}, NO_MKI), offered));
        assertNull(DtlsPeerSupport.checkServerChoice(new UseSRTPData(new int[] {0x0007}, NO_MKI), offered),
                "not offered");
        assertNull(DtlsPeerSupport.checkServerChoice(new UseSRTPData(new int[] {0x0001, 0x0007}, NO_MKI), OURS),
                "server must choose exactly one");
        assertNull(DtlsPeerSupport.checkServerChoice(new UseSRTPData(new int[] {0x0001}, new byte[] {1}), offered),
                "we offered no MKI");
        assertNull(DtlsPeerSupport.checkServerChoice(new UseSRTPData(new int[] {0x0002}, NO_MKI), OURS),
                "unknown profile");
        assertNull(DtlsPeerSupport.checkServerChoice(null, OURS), "server sent no use_srtp");
    }
}
