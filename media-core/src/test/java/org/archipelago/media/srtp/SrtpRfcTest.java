package org.archipelago.media.srtp;

import io.netty.buffer.ByteBuf;
import org.jitsi.srtp.crypto.Aes;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Arrays;

import static org.archipelago.media.srtp.SrtpTestPackets.heap;
import static org.archipelago.media.srtp.SrtpTestPackets.hex;
import static org.archipelago.media.srtp.SrtpTestPackets.readable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Published vectors through {@link SrtpSession}: RFC 3711 Appendix B.2 (AES-CM keystream) and B.3
 * (key derivation), RFC 7714 §16.1 (SRTP AEAD_AES_128_GCM) and §17.1, §17.3 (SRTCP).
 *
 * <p>B.2 and RFC 7714 state their vectors in session keys; they go through the session with
 * {@link SessionKeyContextSource}. B.3 states master keys, so it goes through the production
 * derivation, and the result is compared with an independent computation in javax.crypto built
 * from B.3's published session keys. The fixtures of RFC 7714 are also checked against javax.crypto
 * directly, so a copying mistake in them would show. §17.3 (SRTCP authenticated, not encrypted) is
 * a valid packet that jitsi-srtp cannot verify: the session refuses it as unsupported.
 */
class SrtpRfcTest {

    // ---- RFC 3711 Appendix B.2: AES-CM test vectors -------------------------------------------

    private static final byte[] B2_SESSION_KEY = hex("2B7E1516 28AED2A6 ABF71588 09CF4F3C");
    /** 112-bit session salt; with SSRC and index zero the IV is this salt followed by 0000. */
    private static final byte[] B2_SESSION_SALT = hex("F0F1F2F3 F4F5F6F7 F8F9FAFB FCFD");
    /** "Keystream segment length: 1044512 octets (65282 AES blocks)". */
    private static final int B2_SEGMENT_LENGTH = 1_044_512;
    private static final byte[] B2_KEYSTREAM_HEAD = hex(
            "E03EAD09 35C95E80 E166B16D D92B4EB4" // counter F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000
            + "D2351316 2B02D0F7 2A43A2FE 4A5F97AB" // counter ...0001
            + "41E95B3B B0A2E8DD 477901E4 FCA894C0"); // counter ...0002
    private static final byte[] B2_KEYSTREAM_TAIL = hex(
            "EC8CDF73 98607CB0 F2D21675 EA9EA1E4" // counter ...FEFF
            + "362B7C3C 67735163 18A077D7 FC5073AE" // counter ...FF00
            + "6A2CC378 7889374F BEB4C81B 17BA6C44"); // counter ...FF01

    // ---- RFC 3711 Appendix B.3: key derivation test vectors -----------------------------------

    private static final byte[] B3_MASTER_KEY = hex("E1F97A0D 3E018BE0 D64FA32C 06DE4139");
    private static final byte[] B3_MASTER_SALT = hex("0EC675AD 498AFEEB B6960B3A ABE6");
    /** label 0x00, SRTP encryption key. */
    private static final byte[] B3_CIPHER_KEY = hex("C61E7A93 744F39EE 10734AFE 3FF7A087");
    /** label 0x02, SRTP salting key (112 bits). */
    private static final byte[] B3_CIPHER_SALT = hex("30CBBC08 863D8C85 D49DB34A 9AE1");
    /** label 0x01, SRTP authentication key: the first 160 bits of the RFC's listing, what HMAC-SHA1 uses. */
    private static final byte[] B3_AUTH_KEY = hex("CEBE321F 6FF7716B 6FD4AB49 AF256A15 6D38BAA4");

    // ---- RFC 7714 §16 and §17: AEAD_AES_128_GCM ------------------------------------------------

    private static final byte[] GCM_KEY = hex("00010203 04050607 08090a0b 0c0d0e0f");
    /** 96-bit salt, ASCII "Quid pro quo". */
    private static final byte[] GCM_SALT = hex("51756964 2070726f 2071756f");

    /** §16.1: RTP header (seq 0xf17b, SSRC 0x5501a0b2) and "Gallia est omnis divisa in partes tres". */
    private static final byte[] RFC7714_RTP = hex(
            "8040f17b" // V=2, PT 64, seq 0xf17b
            + "8041f8d3" // timestamp
            + "5501a0b2" // SSRC
            + "47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573");
    /** §16.1.1: IV = salt XOR (00 00 || SSRC || ROC 0 || seq). */
    private static final byte[] RFC7714_RTP_IV = hex("51753c65 80c2726f 20718414");
    /** §16.1.1: the SRTP packet: header unchanged, ciphertext, 16-byte tag. */
    private static final byte[] RFC7714_SRTP = hex(
            "8040f17b 8041f8d3 5501a0b2"
            + "f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833"
            + "899d7f27 beb16a91 52cf765e e4390cce"); // tag

    /** §17: an RTCP sender report from SSRC "Mars", as the §17.1 to §17.4 subsections encrypt it. */
    private static final byte[] RFC7714_RTCP = hex(
            "81c8000d" // V=2, RC 1, PT 200 (SR), length 13
            + "4d617273" // SSRC of sender, "Mars"
            + "4e545031 4e545032" // NTP timestamp, "NTP1NTP2"
            + "52545020" // RTP timestamp, "RTP "
            + "0000042a" // sender's packet count
            + "0000e930" // sender's octet count
            + "4c756e61" // report block SSRC, "Luna"
            + "deadbeef deadbeef deadbeef deadbeef deadbeef"); // rest of the report block
    /** §17.1: the SRTCP index every §17 vector uses. */
    private static final int RFC7714_SRTCP_INDEX = 0x5d4;
    /** §17.1: encrypted SRTCP: header unchanged, ciphertext, tag, then E=1 and the index. */
    private static final byte[] RFC7714_SRTCP = hex(
            "81c8000d 4d617273"
            + "63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b"
            + "c84aa458 96cf4d2f c5abf872 45d9eade" // tag
            + "800005d4"); // E=1, SRTCP index 0x5d4
    /** §17.3: authenticated but not encrypted (E=0): the whole packet and the trailer are the AAD. */
    private static final byte[] RFC7714_SRTCP_TAG_ONLY = hex(
            "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61"
            + "deadbeef deadbeef deadbeef deadbeef deadbeef"
            + "841dd968 3dd78ec9 2ae58790 125f62b3" // tag
            + "000005d4"); // E=0, SRTCP index 0x5d4

    @Test
    void aesImplementationIsForcedToSunJce() {
        // Loading SrtpSession forces the choice before any context exists.
        try (SrtpSession session = new SrtpSession(keys(SrtpProfile.AEAD_AES_128_GCM, B3_MASTER_KEY, new byte[12]))) {
            assertEquals(SrtpProfile.AEAD_AES_128_GCM, session.profile());
        }
        assertEquals("SunJCE", Aes.createCipher("AES/GCM/NoPadding").getProvider().getName());
        assertEquals("SunJCE", Aes.createCipher("AES/CTR/NoPadding").getProvider().getName());
    }

    @Test
    void rfc3711B2AesCmKeystreamThroughTheSession() {
        // SSRC 0, seq 0, ROC 0 and an all-zero payload: the ciphertext is the keystream itself
        // (RFC 3711 §4.1.1), and a payload of the segment length reaches the table's last rows.
        SrtpSession session = new SrtpSession(SrtpProfile.AES128_CM_HMAC_SHA1_80,
                new SessionKeyContextSource(SrtpProfile.AES128_CM_HMAC_SHA1_80, B2_SESSION_KEY, B2_SESSION_SALT, new byte[20]),
                4);
        byte[] plain = SrtpTestPackets.rtp(0, 0, 0, new byte[B2_SEGMENT_LENGTH]);
        ByteBuf packet = heap(plain, 10);
        try {
            assertTrue(session.protectRtp(packet));
            assertEquals(12 + B2_SEGMENT_LENGTH + 10, packet.readableBytes());
            byte[] head = new byte[48];
            packet.getBytes(12, head);
            assertArrayEquals(B2_KEYSTREAM_HEAD, head);
            byte[] tail = new byte[48];
            packet.getBytes(12 + B2_SEGMENT_LENGTH - 48, tail);
            assertArrayEquals(B2_KEYSTREAM_TAIL, tail);
        } finally {
            packet.release();
            session.close();
        }
    }

    @Test
    void rfc3711B3IndependentKdfReproducesThePublishedSessionKeys() throws GeneralSecurityException {
        // Guards the independent computation used below against the RFC itself.
        assertArrayEquals(B3_CIPHER_KEY, kdf(B3_MASTER_KEY, B3_MASTER_SALT, 0x00, 16));
        assertArrayEquals(B3_AUTH_KEY, kdf(B3_MASTER_KEY, B3_MASTER_SALT, 0x01, 20));
        assertArrayEquals(B3_CIPHER_SALT, kdf(B3_MASTER_KEY, B3_MASTER_SALT, 0x02, 14));
    }

    @Test
    void rfc3711B3SrtpProtectUsesTheDerivedSessionKeys() throws GeneralSecurityException {
        SrtpKeyingMaterial keys = keys(SrtpProfile.AES128_CM_HMAC_SHA1_80, B3_MASTER_KEY, B3_MASTER_SALT);
        int ssrc = 0xCAFEBABE;
        int seq = 0x1234;
        byte[] payload = new byte[37];
        Arrays.fill(payload, (byte) 0xAB);
        byte[] plain = SrtpTestPackets.rtp(ssrc, seq, 0xDECAFBADL, payload);

        // Independent SRTP (RFC 3711 §3.3, §4.1.1, §4.2): AES-CM with the B.3 cipher key and salt,
        // then HMAC-SHA1 over header || ciphertext || ROC with the B.3 auth key, truncated to 80 bits.
        byte[] iv = aesCmIv(B3_CIPHER_SALT, ssrc, seq);
        byte[] encrypted = aesCtr(B3_CIPHER_KEY, iv, Arrays.copyOfRange(plain, 12, plain.length));
        byte[] header = Arrays.copyOf(plain, 12);
        byte[] authenticated = concat(header, encrypted);
        byte[] tag = Arrays.copyOf(hmacSha1(B3_AUTH_KEY, concat(authenticated, new byte[4])), 10);
        byte[] expected = concat(authenticated, tag);

        try (SrtpSession sender = new SrtpSession(keys); SrtpSession receiver = new SrtpSession(keys.peerView())) {
            ByteBuf packet = heap(plain);
            try {
                assertTrue(sender.protectRtp(packet));
                assertArrayEquals(expected, readable(packet));
                assertTrue(receiver.unprotectRtp(packet));
                assertArrayEquals(plain, readable(packet));
            } finally {
                packet.release();
            }
        }
    }

    @Test
    void rfc3711B3SrtcpProtectUsesTheDerivedRtcpKeys() throws GeneralSecurityException {
        // B.3 publishes only the SRTP labels; the KDF checked above gives the SRTCP ones
        // (labels 0x03, 0x04, 0x05, RFC 3711 §4.3.2).
        byte[] rtcpKey = kdf(B3_MASTER_KEY, B3_MASTER_SALT, 0x03, 16);
        byte[] rtcpAuth = kdf(B3_MASTER_KEY, B3_MASTER_SALT, 0x04, 20);
        byte[] rtcpSalt = kdf(B3_MASTER_KEY, B3_MASTER_SALT, 0x05, 14);
        SrtpKeyingMaterial keys = keys(SrtpProfile.AES128_CM_HMAC_SHA1_80, B3_MASTER_KEY, B3_MASTER_SALT);
        int ssrc = 0x01020304;
        byte[] plain = SrtpTestPackets.rtcp(ssrc, hex("00112233 44556677 8899aabb"));

        try (SrtpSession sender = new SrtpSession(keys); SrtpSession receiver = new SrtpSession(keys.peerView())) {
            for (int index = 0; index < 3; index++) {
                // RFC 3711 §3.4: encrypt after the first 8 bytes, append E=1|index, then the tag
                // over everything before it; the IV is built as for SRTP with the SRTCP index.
                byte[] encrypted = aesCtr(rtcpKey, aesCmIv(rtcpSalt, ssrc, index), Arrays.copyOfRange(plain, 8, plain.length));
                byte[] eIndex = {(byte) 0x80, 0, 0, (byte) index};
                byte[] authenticated = concat(concat(Arrays.copyOf(plain, 8), encrypted), eIndex);
                byte[] expected = concat(authenticated, Arrays.copyOf(hmacSha1(rtcpAuth, authenticated), 10));

                ByteBuf packet = heap(plain);
                try {
                    assertTrue(sender.protectRtcp(packet));
                    assertArrayEquals(expected, readable(packet), "SRTCP index " + index);
                    assertTrue(receiver.unprotectRtcp(packet));
                    assertArrayEquals(plain, readable(packet));
                } finally {
                    packet.release();
                }
            }
        }
    }

    @Test
    void rfc7714Section16FixtureAgreesWithJce() throws GeneralSecurityException {
        // Corroborates the hand-copied fixture: AAD = RTP header, IV as given (RFC 7714 §8.1, §8.2).
        byte[] sealed = gcm(GCM_KEY, RFC7714_RTP_IV, Arrays.copyOf(RFC7714_RTP, 12),
                Arrays.copyOfRange(RFC7714_RTP, 12, RFC7714_RTP.length));
        assertArrayEquals(Arrays.copyOfRange(RFC7714_SRTP, 12, RFC7714_SRTP.length), sealed);
    }

    @Test
    void rfc7714Section16SrtpProtectAndUnprotect() {
        try (SrtpSession sender = gcmSession(); SrtpSession receiver = gcmSession()) {
            ByteBuf packet = heap(RFC7714_RTP);
            try {
                assertTrue(sender.protectRtp(packet));
                assertArrayEquals(RFC7714_SRTP, readable(packet), "§16.1.1 encryption");
                assertTrue(receiver.unprotectRtp(packet));
                assertArrayEquals(RFC7714_RTP, readable(packet), "§16.1.2 decryption");
            } finally {
                packet.release();
            }
        }
    }

    @Test
    void rfc7714Section17FixturesAgreeWithJce() throws GeneralSecurityException {
        // RFC 7714 §9.1: IV = salt XOR (00 00 || SSRC || 00 00 || 0 || index); AAD = header and,
        // for E=1, the E|index word; for E=0 the whole packet and the word, with empty plaintext.
        byte[] iv = xor(GCM_SALT, hex("0000 4d617273 0000 000005d4"));
        byte[] header = Arrays.copyOf(RFC7714_RTCP, 8);
        byte[] body = Arrays.copyOfRange(RFC7714_RTCP, 8, RFC7714_RTCP.length);
        byte[] sealed = gcm(GCM_KEY, iv, concat(header, hex("800005d4")), body);
        assertArrayEquals(Arrays.copyOfRange(RFC7714_SRTCP, 8, RFC7714_SRTCP.length - 4), sealed);

        byte[] tagOnly = gcm(GCM_KEY, iv, concat(RFC7714_RTCP, hex("000005d4")), new byte[0]);
        assertArrayEquals(Arrays.copyOfRange(RFC7714_SRTCP_TAG_ONLY, RFC7714_RTCP.length, RFC7714_RTCP.length + 16), tagOnly);
    }

    @Test
    void rfc7714Section17SrtcpProtectAndUnprotect() {
        try (SrtpSession sender = gcmSession(); SrtpSession receiver = gcmSession()) {
            // The sender numbers SRTCP packets from 0 (RFC 3711 §3.4): spend indices 0..0x5d3 so
            // the vector's packet gets the vector's index.
            for (int i = 0; i < RFC7714_SRTCP_INDEX; i++) {
                ByteBuf spent = heap(RFC7714_RTCP);
                try {
                    assertTrue(sender.protectRtcp(spent));
                } finally {
                    spent.release();
                }
            }
            ByteBuf packet = heap(RFC7714_RTCP);
            try {
                assertTrue(sender.protectRtcp(packet));
                assertArrayEquals(RFC7714_SRTCP, readable(packet), "§17.1 encryption");
                assertTrue(receiver.unprotectRtcp(packet));
                assertArrayEquals(RFC7714_RTCP, readable(packet), "§17.2 decryption");
            } finally {
                packet.release();
            }
        }
    }

    @Test
    void rfc7714Section17TagOnlySrtcpIsRefusedAsUnsupported() {
        // The §17.3 packet is valid (rfc7714Section17FixturesAgreeWithJce checks its tag), but
        // jitsi-srtp cannot verify unencrypted AEAD SRTCP, so the session refuses it by name.
        try (SrtpSession receiver = gcmSession()) {
            ByteBuf packet = heap(RFC7714_SRTCP_TAG_ONLY);
            try {
                assertFalse(receiver.unprotectRtcp(packet));
                assertArrayEquals(RFC7714_SRTCP_TAG_ONLY, readable(packet), "a refused packet is left as it was");
                assertEquals(1, receiver.counters().drops(SrtpOperation.UNPROTECT_RTCP, SrtpDropReason.UNSUPPORTED));
                assertEquals(0, receiver.streamCount(SrtpOperation.UNPROTECT_RTCP));
            } finally {
                packet.release();
            }
        }
    }

    private static SrtpSession gcmSession() {
        return new SrtpSession(SrtpProfile.AEAD_AES_128_GCM,
                new SessionKeyContextSource(SrtpProfile.AEAD_AES_128_GCM, GCM_KEY, GCM_SALT, null), 4);
    }

    /** Keying material whose local side is the given master key and salt; the remote side is unrelated. */
    private static SrtpKeyingMaterial keys(SrtpProfile profile, byte[] masterKey, byte[] masterSalt) {
        byte[] otherKey = new byte[profile.keyLength()];
        Arrays.fill(otherKey, (byte) 0x5A);
        byte[] otherSalt = new byte[profile.saltLength()];
        Arrays.fill(otherSalt, (byte) 0xA5);
        return new SrtpKeyingMaterial(profile, masterKey, masterSalt, otherKey, otherSalt);
    }

    // ---- independent reference computations (javax.crypto only) -------------------------------

    /**
     * RFC 3711 §4.3.1 with key_derivation_rate 0: x = (label || r=0) XOR master_salt, and the
     * session key is the AES-CM keystream of the master key from IV x * 2^16.
     */
    private static byte[] kdf(byte[] masterKey, byte[] masterSalt, int label, int length) throws GeneralSecurityException {
        byte[] iv = new byte[16];
        System.arraycopy(masterSalt, 0, iv, 0, 14);
        // key_id = label || 48-bit r occupies the low 56 bits of the 112-bit x: the label is byte 7.
        iv[7] ^= (byte) label;
        return aesCtr(masterKey, iv, new byte[length]);
    }

    /** RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), ROC 0 here. */
    private static byte[] aesCmIv(byte[] salt14, int ssrc, long index) {
        byte[] iv = new byte[16];
        System.arraycopy(salt14, 0, iv, 0, 14);
        for (int i = 0; i < 4; i++) {
            iv[4 + i] ^= (byte) (ssrc >>> (24 - 8 * i));
        }
        for (int i = 0; i < 6; i++) {
            iv[8 + i] ^= (byte) (index >>> (40 - 8 * i));
        }
        return iv;
    }

    private static byte[] aesCtr(byte[] key, byte[] iv, byte[] data) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        return cipher.doFinal(data);
    }

    private static byte[] hmacSha1(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(key, "HmacSHA1"));
        return mac.doFinal(data);
    }

    private static byte[] gcm(byte[] key, byte[] iv, byte[] aad, byte[] plaintext) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        cipher.updateAAD(aad);
        return cipher.doFinal(plaintext);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] xor(byte[] a, byte[] b) {
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }
}
