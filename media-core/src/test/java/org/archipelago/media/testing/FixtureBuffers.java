package org.archipelago.media.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/** Builds leak-tracked buffers from byte fixtures written as int literals, one 32-bit word per line. */
public final class FixtureBuffers {
    private FixtureBuffers() {
    }

    /** A pooled heap buffer holding exactly {@code bytes}; the caller releases it. */
    public static ByteBuf of(int... bytes) {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.heapBuffer(bytes.length, bytes.length);
        for (int b : bytes) {
            buffer.writeByte(b);
        }
        return buffer;
    }

    public static byte[] toArray(int... bytes) {
        byte[] array = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            array[i] = (byte) bytes[i];
        }
        return array;
    }
}
