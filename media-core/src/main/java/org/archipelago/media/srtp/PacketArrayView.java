package org.archipelago.media.srtp;

import org.jitsi.utils.ByteArrayBuffer;

/**
 * jitsi-srtp's view of one packet: a window {@code [offset, offset + length)} over a byte array,
 * which may grow up to {@code limit} (the end of the owning buffer's capacity, not the end of the
 * array: a pooled heap buffer shares its array with other buffers).
 *
 * <p>One instance per {@link SrtpSession}, re-pointed at each packet, so adapting a Netty buffer
 * to the library costs no allocation. {@link SrtpSession} checks the tailroom before handing the
 * view to the library, so {@link #grow} and {@link #append} never need more than {@code limit};
 * if they ever did, the view refuses and remembers it ({@link #overflowed()}) rather than write
 * into a neighbour's bytes.
 */
final class PacketArrayView implements ByteArrayBuffer {
    private byte[] array;
    private int offset;
    private int length;
    private int limit;
    private boolean overflowed;

    /** Points the view at a packet; {@code limit} is the exclusive end of writable space in {@code array}. */
    void wrap(byte[] array, int offset, int length, int limit) {
        this.array = array;
        this.offset = offset;
        this.length = length;
        this.limit = limit;
        this.overflowed = false;
    }

    /** Drops the reference to the array so a pooled chunk is not kept reachable by the session. */
    void clear() {
        array = null;
        offset = 0;
        length = 0;
        limit = 0;
    }

    boolean overflowed() {
        return overflowed;
    }

    @Override
    public byte[] getBuffer() {
        return array;
    }

    @Override
    public int getOffset() {
        return offset;
    }

    @Override
    public int getLength() {
        return length;
    }

    @Override
    public void setLength(int length) {
        if (length < 0 || offset + length > limit) {
            overflowed = true;
            return;
        }
        this.length = length;
    }

    @Override
    public void setOffset(int offset) {
        // Only used by the library for cryptex (RFC 9335) header handling, which Archipelago does
        // not negotiate; kept consistent anyway: the end of the packet stays where it was.
        int end = this.offset + this.length;
        if (offset < 0 || offset > end) {
            overflowed = true;
            return;
        }
        this.length = end - offset;
        this.offset = offset;
    }

    @Override
    public boolean isInvalid() {
        return false;
    }

    @Override
    public void readRegionToBuff(int off, int len, byte[] out) {
        System.arraycopy(array, offset + off, out, 0, len);
    }

    @Override
    public void grow(int howMuch) {
        // Growing means "make room for howMuch more bytes after length"; the room is the
        // buffer's tailroom, already checked, so this only verifies.
        if (offset + length + howMuch > limit) {
            overflowed = true;
        }
    }

    @Override
    public void append(byte[] data, int len) {
        if (offset + length + len > limit) {
            overflowed = true;
            return;
        }
        System.arraycopy(data, 0, array, offset + length, len);
        length += len;
    }

    @Override
    public void shrink(int len) {
        if (len <= 0) {
            return;
        }
        length = len >= length ? 0 : length - len;
    }
}
