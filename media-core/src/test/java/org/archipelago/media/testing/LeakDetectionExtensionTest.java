package org.archipelago.media.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guard that fails leaking tests must itself catch a leak. */
class LeakDetectionExtensionTest {

    @Test
    void aBufferDroppedUnreleasedIsReported() throws InterruptedException {
        leakOneBuffer();
        List<String> leaks = LeakDetectionExtension.collectLeaks();
        assertFalse(leaks.isEmpty(), "the detector reports the dropped buffer");
        assertTrue(leaks.get(0).contains("leakOneBuffer"), "PARANOID records where the buffer was made: " + leaks.get(0));
    }

    @Test
    void aReleasedBufferIsNotReported() throws InterruptedException {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer(64);
        buffer.writeLong(42);
        buffer.release();
        assertTrue(LeakDetectionExtension.collectLeaks().isEmpty());
    }

    private static void leakOneBuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.buffer(64);
        leaked.writeLong(7);
        // Dropped without release on purpose.
    }
}
