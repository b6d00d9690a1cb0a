package org.archipelago.media.rtp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RtpAbsoluteSendTimeTest {

    @Test
    void convertsNanosToSixPointEighteenSecondsWrappingAt64() {
        long[][] rows = {
                // nanos,                       expected 24-bit value
                {0L, 0x000000},
                {1_000_000_000L, 0x040000},          // 1 s = 1 << 18
                {1_500_000_000L, 0x060000},
                {63_000_000_000L, 0xFC0000},
                {64_000_000_000L, 0x000000},         // wraps every 64 s
                {65_000_000_000L, 0x040000},
                {3_815L, 0x000001},                  // one unit is 1/2^18 s, about 3.815 µs
                {-1_000_000_000L, 0xFC0000},         // negative times wrap like any other
        };
        for (long[] row : rows) {
            assertEquals(row[1], AbsoluteSendTime.fromNanos(row[0]), () -> "nanos " + row[0]);
        }
    }
}
