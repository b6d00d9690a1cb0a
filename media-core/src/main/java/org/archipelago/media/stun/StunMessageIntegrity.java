package org.archipelago.media.stun;

import io.netty.buffer.ByteBuf;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * MESSAGE-INTEGRITY, the HMAC-SHA1 of a STUN message under one key
 * (<a href="https://www.rfc-editor.org/rfc/rfc8489#section-14.5">RFC 8489 §14.5</a>).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type 0x0008                 |         Length 20             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  HMAC-SHA1 (20 bytes)                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The HMAC covers the message from its first byte up to (not including) the MESSAGE-INTEGRITY
 * attribute, with the header's length field counting up to the end of MESSAGE-INTEGRITY — so a
 * FINGERPRINT that follows is excluded. {@link #verify} feeds that adjusted length to the HMAC
 * instead of writing it into the (possibly shared) received buffer.
 *
 * <p>ICE uses short-term credentials (RFC 8445 §7.2.2), whose key is the password itself (its
 * OpaqueString form, which for ICE's ASCII ice-chars is just its bytes). One instance holds one
 * {@link Mac} keyed once, and is owned by one thread: creating a {@code Mac} per message would
 * cost far more than the HMAC itself.
 */
public final class StunMessageIntegrity {
    private static final String ALGORITHM = "HmacSHA1";
    private static final int SCRATCH_LENGTH = 256;

    private final Mac mac;
    private final byte[] computed = new byte[StunAttribute.MESSAGE_INTEGRITY_LENGTH];
    private final byte[] scratch = new byte[SCRATCH_LENGTH];

    /** Keys the HMAC with {@code key}, which the caller may reuse afterwards. */
    public StunMessageIntegrity(byte[] key) {
        if (key.length == 0) {
            throw new IllegalArgumentException("MESSAGE-INTEGRITY key must not be empty");
        }
        try {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
        } catch (GeneralSecurityException e) {
            // Every Java runtime must provide HmacSHA1 (Mac's Javadoc), so this is a broken JDK.
            throw new IllegalStateException("HmacSHA1 is not available", e);
        }
    }

    /** The short-term credential key for an ICE password (RFC 8489 §9.1.1). */
    public static StunMessageIntegrity forShortTermPassword(String password) {
        return new StunMessageIntegrity(password.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Whether {@code message} (a valid view) carries a MESSAGE-INTEGRITY that matches this key.
     * False when the attribute is absent.
     */
    public boolean verify(StunMessage message) {
        int attributeIndex = message.messageIntegrityIndex();
        if (attributeIndex < 0) {
            return false;
        }
        ByteBuf buf = message.buffer();
        int start = message.startIndex();
        int adjustedLength = attributeIndex + StunAttribute.HEADER_LENGTH
                + StunAttribute.MESSAGE_INTEGRITY_LENGTH - start - StunMessage.HEADER_LENGTH;
        compute(buf, start, attributeIndex, adjustedLength);
        // Constant-time comparison, so timing reveals nothing about how much of a forgery matched.
        int valueIndex = attributeIndex + StunAttribute.HEADER_LENGTH;
        int difference = 0;
        for (int i = 0; i < computed.length; i++) {
            difference |= computed[i] ^ buf.getByte(valueIndex + i);
        }
        return difference == 0;
    }

    /**
     * Writes the 20-byte HMAC into {@code buf} at {@code attributeIndex + 4}, for a message that
     * starts at {@code start} and whose header length field already counts up to the end of the
     * MESSAGE-INTEGRITY attribute at {@code attributeIndex}.
     */
    void sign(ByteBuf buf, int start, int attributeIndex) {
        compute(buf, start, attributeIndex, buf.getUnsignedShort(start + StunMessage.LENGTH_OFFSET));
        buf.setBytes(attributeIndex + StunAttribute.HEADER_LENGTH, computed);
    }

    private void compute(ByteBuf buf, int start, int end, int lengthField) {
        mac.reset();
        mac.update(buf.getByte(start + StunMessage.TYPE_OFFSET));
        mac.update(buf.getByte(start + StunMessage.TYPE_OFFSET + 1));
        mac.update((byte) (lengthField >>> 8));
        mac.update((byte) lengthField);
        update(buf, start + StunMessage.MAGIC_COOKIE_OFFSET, end - start - StunMessage.MAGIC_COOKIE_OFFSET);
        try {
            mac.doFinal(computed, 0);
        } catch (GeneralSecurityException e) {
            // doFinal only fails when the output array is too short, and ours is exactly 20 bytes.
            throw new IllegalStateException(e);
        }
    }

    private void update(ByteBuf buf, int index, int count) {
        if (buf.hasArray()) {
            mac.update(buf.array(), buf.arrayOffset() + index, count);
            return;
        }
        // Direct buffers: copy through a small scratch array rather than allocating a ByteBuffer.
        while (count > 0) {
            int chunk = Math.min(count, scratch.length);
            buf.getBytes(index, scratch, 0, chunk);
            mac.update(scratch, 0, chunk);
            index += chunk;
            count -= chunk;
        }
    }
}
