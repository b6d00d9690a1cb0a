package org.archipelago.media.rtp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each table is a stream: rows of {input sequence number, expected unwrapped value}, fed in order. */
class RtpSequenceUnwrapperTest {

    private static void assertUnwraps(long[][] rows) {
        RtpSequenceUnwrapper unwrapper = new RtpSequenceUnwrapper();
        for (int i = 0; i < rows.length; i++) {
            long[] row = rows[i];
            int row1 = i;
            assertEquals(row[1], unwrapper.unwrap((int) row[0]), () -> "row " + row1 + ": input " + row[0]);
        }
    }

    @Test
    void inOrder() {
        assertUnwraps(new long[][]{
                {0, 0},
                {1, 1},
                {2, 2},
                {3, 3},
        });
    }

    @Test
    void wrapsForward() {
        assertUnwraps(new long[][]{
                {65533, 65533},
                {65534, 65534},
                {65535, 65535},
                {0, 65536},
                {1, 65537},
        });
    }

    @Test
    void wrapsForwardTwice() {
        assertUnwraps(new long[][]{
                {65535, 65535},
                {0, 65536},
                {32767, 98303},      // 32767 ahead: the furthest jump still read as forward
                {65534, 131070},
                {0, 131072},
        });
    }

    @Test
    void reorderedAcrossTheWrap() {
        assertUnwraps(new long[][]{
                {65534, 65534},
                {0, 65536},          // 65535 is late
                {65535, 65535},      // arrives after the wrap: maps to the previous cycle
                {1, 65537},          // the late packet did not move the reference
                {65533, 65533},
        });
    }

    @Test
    void duplicatesMapToTheSameValue() {
        assertUnwraps(new long[][]{
                {100, 100},
                {101, 101},
                {101, 101},
                {100, 100},
                {102, 102},
        });
    }

    @Test
    void olderThanTheFirstIsNegative() {
        assertUnwraps(new long[][]{
                {0, 0},
                {65535, -1},
                {65000, -536},
                {1, 1},
        });
    }

    @Test
    void largeForwardJumpJustUnderHalf() {
        assertUnwraps(new long[][]{
                {0, 0},
                {32767, 32767},
                {65534, 65534},
                {32765, 98301},      // 32767 ahead of 65534, so in the next cycle
                {65533, 65533},      // exactly half-way behind 98301: read as older
        });
    }

    @Test
    void resetForgetsHistory() {
        RtpSequenceUnwrapper unwrapper = new RtpSequenceUnwrapper();
        assertFalse(unwrapper.isStarted());
        unwrapper.unwrap(65535);
        assertEquals(65536, unwrapper.unwrap(0));
        assertEquals(65536, unwrapper.highestUnwrapped());
        unwrapper.reset();
        assertFalse(unwrapper.isStarted());
        assertEquals(7, unwrapper.unwrap(7));
        assertTrue(unwrapper.isStarted());
    }
}
