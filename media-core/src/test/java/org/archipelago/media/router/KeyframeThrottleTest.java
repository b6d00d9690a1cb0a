package org.archipelago.media.router;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The per-layer intervals, on a virtual clock (milliseconds). */
class KeyframeThrottleTest {
    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void defaultsAreHalfASecondForLowLayersAndASecondForHighOnes() {
        KeyframeThrottle defaults = KeyframeThrottle.defaults();
        assertEquals(ms(500), defaults.intervalNanos(SourceLayer.LOW));
        assertEquals(ms(1000), defaults.intervalNanos(SourceLayer.HIGH));
        assertEquals(KeyframeRequester.DEFAULT_MAX_RETRIES, defaults.maxRetries());
    }

    @Test
    void requestersTakeTheIntervalOfTheirLayer() {
        KeyframeThrottle throttle = new KeyframeThrottle(ms(200), ms(700), 0);
        int[] requests = new int[2];
        KeyframeRequester low = throttle.requester(SourceLayer.LOW, () -> requests[0]++);
        KeyframeRequester high = throttle.requester(SourceLayer.HIGH, () -> requests[1]++);
        // {now ms, low requests, high requests}: a need every 50 ms, from several subscribers.
        long[][] rows = {
                {0, 1, 1},
                {150, 1, 1},
                {200, 2, 1},        // the low layer's window ended with needs deferred
                {650, 4, 1},
                {700, 4, 2},        // the high layer's
                {1400, 8, 3},
        };
        long now = 0;
        for (long[] row : rows) {
            for (; now <= row[0]; now += 50) {
                low.request(ms(now));
                high.request(ms(now));
                low.poll(ms(now));
                high.poll(ms(now));
            }
            assertEquals(row[1], requests[0], "low at " + row[0] + " ms");
            assertEquals(row[2], requests[1], "high at " + row[0] + " ms");
        }
    }

    @Test
    void mistakesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new KeyframeThrottle(0, ms(1000), 1));
        assertThrows(IllegalArgumentException.class, () -> new KeyframeThrottle(ms(500), -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new KeyframeThrottle(ms(500), ms(1000), -1));
    }
}
