package org.archipelago.media.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The receive-side view allocates nothing per message: wrapping, reading the ICE attributes and
 * checking the FINGERPRINT of a request work on the buffer in place. Measured with the JVM's
 * per-thread allocation counter, not with time. (MESSAGE-INTEGRITY is left out: the JDK's
 * {@code Mac.doFinal} allocates its result internally.)
 */
class StunMessageAllocationTest {
    private static final int ITERATIONS = 20_000;
    private static final byte[] LOCAL_PART = {'s', 'r', 'v', 'A'};
    private static final byte[] USERNAME = {'s', 'r', 'v', 'A', ':', 'p', 'e', 'e', 'r'};

    @Test
    void parsingARequestAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        StunMessage message = new StunMessage();
        StunFingerprint fingerprint = new StunFingerprint();
        ByteBuf request = PooledByteBufAllocator.DEFAULT.directBuffer(128);
        try {
            new StunMessageWriter().begin(request, StunMessage.BINDING_REQUEST, 1, 2L)
                    .username(USERNAME)
                    .priority(0x6e0001ffL)
                    .iceControlling(3L)
                    .useCandidate()
                    .messageIntegrity(StunMessageIntegrity.forShortTermPassword("serverPassword0123456789"))
                    .fingerprint();
            // The PARANOID leak detector's wrapper records every access (and allocates to do so);
            // measure the buffer underneath it, as production code sees buffers.
            ByteBuf untracked = request.unwrap();
            long checksum = parse(message, fingerprint, untracked, ITERATIONS); // warm up first

            long before = threads.getCurrentThreadAllocatedBytes();
            checksum += parse(message, fingerprint, untracked, ITERATIONS);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;

            assertEquals(2L * ITERATIONS, checksum, "every iteration must have parsed and verified");
            assertTrue(allocated < 1024, "parsing allocated " + allocated + " bytes over " + ITERATIONS + " requests");
        } finally {
            request.release();
        }
    }

    private static long parse(StunMessage message, StunFingerprint fingerprint, ByteBuf request, int iterations) {
        long ok = 0;
        for (int i = 0; i < iterations; i++) {
            if (message.wrap(request) == StunParseResult.VALID
                    && message.messageType() == StunMessage.BINDING_REQUEST
                    && message.usernameEquals(USERNAME)
                    && message.usernameHasLocalPart(LOCAL_PART)
                    && message.priority() == 0x6e0001ffL
                    && message.hasUseCandidate()
                    && message.transactionIdEquals(1, 2L)
                    && fingerprint.verify(message)) {
                ok++;
            }
        }
        return ok;
    }
}
