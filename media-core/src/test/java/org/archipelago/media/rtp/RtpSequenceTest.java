package org.archipelago.media.rtp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Table-driven: each row is {inputs..., expected}, checked in order. */
class RtpSequenceTest {

    @Test
    void distanceAndIsNewerAcrossWrapAround() {
        int[][] rows = {
                // from,  to,    distance, to newer than from (1) or not (0)
                {0, 0, 0, 0},
                {0, 1, 1, 1},
                {1, 0, -1, 0},
                {65535, 0, 1, 1},            // wraps forward
                {0, 65535, -1, 0},           // wraps backward
                {65530, 5, 11, 1},
                {5, 65530, -11, 0},
                {0, 32767, 32767, 1},        // furthest still newer
                {0, 32768, -32768, 0},       // exactly half-way: neither is newer
                {32768, 0, -32768, 0},
                {0, 32769, -32767, 0},
                {100, 100 + 65536, 0, 0},    // arguments are taken modulo 2^16
        };
        for (int[] row : rows) {
            assertEquals(row[2], RtpSequence.distance(row[0], row[1]), () -> "distance " + row[0] + "->" + row[1]);
            assertEquals(row[3] == 1, RtpSequence.isNewer(row[1], row[0]), () -> "isNewer " + row[1] + " than " + row[0]);
        }
    }

    @Test
    void addWrapsInto16Bits() {
        int[][] rows = {
                // sequence, delta, expected
                {65535, 1, 0},
                {0, -1, 65535},
                {65000, 1000, 464},
                {10, 5, 15},
        };
        for (int[] row : rows) {
            assertEquals(row[2], RtpSequence.add(row[0], row[1]));
        }
    }

    @Test
    void timestampDistanceAndIsNewerAcrossWrapAround() {
        long[][] rows = {
                // from,         to,           distance,        to newer (1) or not (0)
                {0L, 3000L, 3000L, 1},
                {3000L, 0L, -3000L, 0},
                {0xFFFF_FFFFL, 0L, 1L, 1},
                {0xFFFF_F000L, 0x1000L, 0x2000L, 1},
                {0x1000L, 0xFFFF_F000L, -0x2000L, 0},
                {0L, 0x7FFF_FFFFL, 0x7FFF_FFFFL, 1},
                {0L, 0x8000_0000L, -0x8000_0000L, 0},
        };
        for (long[] row : rows) {
            assertEquals(row[2], RtpSequence.timestampDistance(row[0], row[1]));
            assertEquals(row[3] == 1, RtpSequence.isTimestampNewer(row[1], row[0]));
        }
        assertEquals(5L, RtpSequence.addToTimestamp(0xFFFF_FFFEL, 7));
    }
}
