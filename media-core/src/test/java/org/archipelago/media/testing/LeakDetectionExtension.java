package org.archipelago.media.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

/**
 * Fails a test class whose code leaked a Netty buffer.
 *
 * <p>Registered for every test through JUnit's extension auto-detection
 * ({@code META-INF/services/org.junit.jupiter.api.extension.Extension}). After the class, it runs
 * the garbage collector and makes the detector poll its reference queue (the detector only reports
 * when a new buffer is tracked), then fails if {@link FailingLeakDetector} saw a leak.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("tests must run with -Dio.netty.leakDetection.level=PARANOID");
        }
        // Leaks of an earlier class were reported against it already.
        FailingLeakDetector.drainLeaks();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        List<String> leaks = collectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) in "
                    + context.getDisplayName() + ":\n" + String.join("\n", leaks));
        }
    }

    /** Runs GC a few times and lets the detector report what became unreachable unreleased. */
    public static List<String> collectLeaks() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            System.runFinalization();
            // The JVM's reference handler enqueues cleared references on its own thread a moment
            // after the collection; there is no condition to poll for, so give it a short beat.
            Thread.sleep(20);
            // Allocating a tracked buffer makes the detector drain its reference queue.
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(1);
            probe.release();
            ByteBuf probe2 = UnpooledByteBufAllocator.DEFAULT.buffer(1);
            probe2.release();
        }
        return FailingLeakDetector.drainLeaks();
    }
}
