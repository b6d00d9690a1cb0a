package org.archipelago.media.stun;

import io.netty.buffer.ByteBuf;

/**
 * Builds a STUN message (<a href="https://www.rfc-editor.org/rfc/rfc8489#section-5">RFC 8489
 * §5</a>) at the writer index of a caller-provided {@link ByteBuf}, attribute by attribute.
 *
 * <pre>
 * begin(out, type, transaction id)      20-byte header, length 0
 *   .username(..).priority(..) ...      TLVs, zero-padded to 4 bytes; header length kept current
 *   .messageIntegrity(key)              HMAC over everything before it (RFC 8489 §14.5)
 *   .fingerprint()                      CRC-32 over everything before it (RFC 8489 §14.7)
 * </pre>
 *
 * <p>The header's length field is updated after every attribute, so bytes a caller appends to the
 * buffer between calls are counted as attributes too. The caller owns the buffer; the writer
 * neither retains nor releases it. If the buffer cannot grow enough, Netty throws
 * {@code IndexOutOfBoundsException}: size checks belong to the caller, who knows
 * {@link #BINDING_SUCCESS_RESPONSE_MAX_LENGTH} and can check before writing. One writer is owned
 * by one thread and can be reused for any number of messages.
 */
public final class StunMessageWriter {
    /** The largest Binding success response {@link #writeBindingSuccessResponse} produces (IPv6). */
    public static final int BINDING_SUCCESS_RESPONSE_MAX_LENGTH = StunMessage.HEADER_LENGTH
            + StunAttribute.HEADER_LENGTH + StunAttribute.XOR_MAPPED_ADDRESS_IPV6_LENGTH
            + StunAttribute.HEADER_LENGTH + StunAttribute.MESSAGE_INTEGRITY_LENGTH
            + StunAttribute.HEADER_LENGTH + StunAttribute.FINGERPRINT_LENGTH;

    private static final int PORT_XOR = StunMessage.MAGIC_COOKIE >>> 16;

    private final StunFingerprint fingerprint = new StunFingerprint();
    private ByteBuf out;
    private int start;

    /**
     * Starts a message of {@code messageType} at {@code out}'s writer index, with the transaction
     * id given as its big-endian first 4 and last 8 bytes.
     */
    public StunMessageWriter begin(ByteBuf out, int messageType, int transactionIdHigh, long transactionIdLow) {
        beginHeader(out, messageType);
        out.writeInt(transactionIdHigh);
        out.writeLong(transactionIdLow);
        return this;
    }

    /** Starts a message of {@code messageType} that answers {@code request}: same transaction id. */
    public StunMessageWriter beginResponse(ByteBuf out, int messageType, StunMessage request) {
        beginHeader(out, messageType);
        request.copyTransactionIdTo(out);
        return this;
    }

    private void beginHeader(ByteBuf out, int messageType) {
        this.out = out;
        this.start = out.writerIndex();
        out.writeShort(messageType);
        out.writeShort(0);
        out.writeInt(StunMessage.MAGIC_COOKIE);
    }

    /** USERNAME (RFC 8489 §14.3), e.g. "remoteUfrag:localUfrag" in an ICE check. */
    public StunMessageWriter username(byte[] username) {
        return attribute(StunAttribute.USERNAME, username);
    }

    /** SOFTWARE (RFC 8489 §14.14). */
    public StunMessageWriter software(byte[] description) {
        return attribute(StunAttribute.SOFTWARE, description);
    }

    /** Any attribute, its value copied and zero-padded. */
    public StunMessageWriter attribute(int type, byte[] value) {
        out.writeShort(type);
        out.writeShort(value.length);
        out.writeBytes(value);
        out.writeZero(StunAttribute.paddedLength(value.length) - value.length);
        return updateLength();
    }

    /** PRIORITY (RFC 8445 §7.1.1), an unsigned 32-bit value. */
    public StunMessageWriter priority(long priority) {
        out.writeShort(StunAttribute.PRIORITY);
        out.writeShort(StunAttribute.PRIORITY_LENGTH);
        out.writeInt((int) priority);
        return updateLength();
    }

    /** USE-CANDIDATE (RFC 8445 §7.1.2), which has no value. */
    public StunMessageWriter useCandidate() {
        out.writeShort(StunAttribute.USE_CANDIDATE);
        out.writeShort(0);
        return updateLength();
    }

    /** ICE-CONTROLLING with its tie-breaker (RFC 8445 §7.1.3). */
    public StunMessageWriter iceControlling(long tieBreaker) {
        return tieBreakerAttribute(StunAttribute.ICE_CONTROLLING, tieBreaker);
    }

    /** ICE-CONTROLLED with its tie-breaker (RFC 8445 §7.1.3). */
    public StunMessageWriter iceControlled(long tieBreaker) {
        return tieBreakerAttribute(StunAttribute.ICE_CONTROLLED, tieBreaker);
    }

    private StunMessageWriter tieBreakerAttribute(int type, long tieBreaker) {
        out.writeShort(type);
        out.writeShort(StunAttribute.TIE_BREAKER_LENGTH);
        out.writeLong(tieBreaker);
        return updateLength();
    }

    /**
     * XOR-MAPPED-ADDRESS (RFC 8489 §14.2) for a 4-byte (IPv4) or 16-byte (IPv6) address.
     *
     * <pre>
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |0 0 0 0 0 0 0 0|    Family     |         X-Port                |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                X-Address (Variable)
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * </pre>
     * The XOR keeps middleboxes that rewrite addresses they find in payloads away from this one.
     */
    public StunMessageWriter xorMappedAddress(byte[] address, int port) {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, not " + address.length);
        }
        boolean ipv4 = address.length == 4;
        out.writeShort(StunAttribute.XOR_MAPPED_ADDRESS);
        out.writeShort(ipv4 ? StunAttribute.XOR_MAPPED_ADDRESS_IPV4_LENGTH : StunAttribute.XOR_MAPPED_ADDRESS_IPV6_LENGTH);
        out.writeByte(0);
        out.writeByte(ipv4 ? StunAttribute.FAMILY_IPV4 : StunAttribute.FAMILY_IPV6);
        out.writeShort(port ^ PORT_XOR);
        for (int i = 0; i < address.length; i++) {
            // Header bytes 4..19 are the cookie then the transaction id: the XOR key of §14.2.
            out.writeByte(address[i] ^ out.getByte(start + StunMessage.MAGIC_COOKIE_OFFSET + i));
        }
        return updateLength();
    }

    /** MESSAGE-INTEGRITY under {@code key}, covering every byte written so far. */
    public StunMessageWriter messageIntegrity(StunMessageIntegrity key) {
        int attributeIndex = out.writerIndex();
        out.writeShort(StunAttribute.MESSAGE_INTEGRITY);
        out.writeShort(StunAttribute.MESSAGE_INTEGRITY_LENGTH);
        out.writeZero(StunAttribute.MESSAGE_INTEGRITY_LENGTH);
        updateLength();
        key.sign(out, start, attributeIndex);
        return this;
    }

    /** FINGERPRINT, covering every byte written so far; must be the last attribute. */
    public StunMessageWriter fingerprint() {
        int attributeIndex = out.writerIndex();
        out.writeShort(StunAttribute.FINGERPRINT);
        out.writeShort(StunAttribute.FINGERPRINT_LENGTH);
        out.writeInt(0);
        updateLength();
        out.setInt(attributeIndex + StunAttribute.HEADER_LENGTH, fingerprint.compute(out, start, attributeIndex));
        return this;
    }

    /** Bytes written since {@code begin}, header included. */
    public int length() {
        return out.writerIndex() - start;
    }

    private StunMessageWriter updateLength() {
        out.setShort(start + StunMessage.LENGTH_OFFSET, out.writerIndex() - start - StunMessage.HEADER_LENGTH);
        return this;
    }

    /**
     * Writes the Binding success response to {@code request} an ICE agent sends
     * (RFC 8445 §7.3.1.4 and RFC 8489 §9.1.3): the request's transaction id, the request's source
     * as XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY under the local password, then FINGERPRINT.
     *
     * @return the number of bytes written
     */
    public int writeBindingSuccessResponse(ByteBuf out, StunMessage request, byte[] mappedAddress,
                                           int mappedPort, StunMessageIntegrity localPassword) {
        return beginResponse(out, StunMessage.BINDING_SUCCESS_RESPONSE, request)
                .xorMappedAddress(mappedAddress, mappedPort)
                .messageIntegrity(localPassword)
                .fingerprint()
                .length();
    }

    /**
     * Writes an ICE connectivity check from a controlling agent (RFC 8445 §7.2.2): USERNAME
     * "remoteUfrag:localUfrag", PRIORITY, ICE-CONTROLLING, USE-CANDIDATE when nominating,
     * MESSAGE-INTEGRITY under the remote password, then FINGERPRINT.
     *
     * @return the number of bytes written
     */
    public int writeBindingRequest(ByteBuf out, int transactionIdHigh, long transactionIdLow, byte[] username,
                                   long priority, long tieBreaker, boolean nominate,
                                   StunMessageIntegrity remotePassword) {
        begin(out, StunMessage.BINDING_REQUEST, transactionIdHigh, transactionIdLow)
                .username(username)
                .priority(priority)
                .iceControlling(tieBreaker);
        if (nominate) {
            useCandidate();
        }
        return messageIntegrity(remotePassword).fingerprint().length();
    }
}
