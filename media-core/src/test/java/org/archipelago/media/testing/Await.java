package org.archipelago.media.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes: tests wait for events, never for time. */
public final class Await {
    private Await() {
    }

    /**
     * Waits until {@code condition} is true.
     *
     * @throws AssertionError naming {@code what} (and its last state) when the deadline passes first
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, condition, () -> "");
    }

    /** As {@link #until(String, Duration, BooleanSupplier)}, describing the state on failure. */
    public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + " " + state.get());
            }
            LockSupport.parkNanos(2_000_000);
        }
    }
}
