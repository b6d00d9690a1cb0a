package org.archipelago.media.stats;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 3550 §6.3.5: intervals randomized over [0.5, 1.5) × the mean; the first is half of one. */
class RtcpReportIntervalTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void notDueBeforeStart() {
        RtcpReportInterval interval = new RtcpReportInterval(SECOND, new SplittableRandom(1));
        assertFalse(interval.isDue(Long.MAX_VALUE));
    }

    @Test
    void intervalsAreSpreadOverHalfToOneAndAHalfTimesTheMean() {
        RtcpReportInterval interval = new RtcpReportInterval(SECOND, new SplittableRandom(7));
        long now = 3 * SECOND;
        interval.start(now);
        long first = interval.dueNanos() - now;
        assertTrue(first >= SECOND / 4 && first < 3 * SECOND / 4, "first " + first);

        long min = Long.MAX_VALUE;
        long max = 0;
        long sum = 0;
        int count = 2000;
        for (int i = 0; i < count; i++) {
            now = interval.dueNanos();
            assertFalse(interval.isDue(now - 1));
            assertTrue(interval.isDue(now));
            interval.reported(now);
            long gap = interval.dueNanos() - now;
            min = Math.min(min, gap);
            max = Math.max(max, gap);
            sum += gap;
        }
        assertTrue(min >= SECOND / 2, "min " + min);
        assertTrue(max < 3 * SECOND / 2, "max " + max);
        assertTrue(min < 6 * SECOND / 10 && max > 14 * SECOND / 10, "spread " + min + ".." + max);
        assertEquals(SECOND, sum / count, SECOND / 20, "mean");
    }
}
