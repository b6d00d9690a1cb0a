package org.archipelago.media.rtp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Rows of {input timestamp, expected unwrapped value}, fed in order to one unwrapper. */
class RtpTimestampUnwrapperTest {

    private static void assertUnwraps(long[][] rows) {
        RtpTimestampUnwrapper unwrapper = new RtpTimestampUnwrapper();
        for (int i = 0; i < rows.length; i++) {
            long[] row = rows[i];
            int index = i;
            assertEquals(row[1], unwrapper.unwrap(row[0]), () -> "row " + index + ": input " + row[0]);
        }
    }

    @Test
    void videoClockAcrossTheWrap() {
        assertUnwraps(new long[][]{
                {0xFFFF_F448L, 0xFFFF_F448L},        // 3000 ticks (one 30 fps frame at 90 kHz) before the wrap
                {0xFFFF_FFFFL, 0xFFFF_FFFFL},
                {0x0000_0BB7L, 0x1_0000_0BB7L},      // 3000 after
                {0x0000_0BB7L, 0x1_0000_0BB7L},      // duplicate
                {0xFFFF_F448L, 0xFFFF_F448L},        // late frame from before the wrap
                {0x0000_1770L, 0x1_0000_1770L},
        });
    }

    @Test
    void secondWrapAndBeyondHalfRange() {
        assertUnwraps(new long[][]{
                {0L, 0L},
                {0x7FFF_FFFFL, 0x7FFF_FFFFL},
                {0xFFFF_FFFEL, 0xFFFF_FFFEL},
                {0x7FFF_FFFDL, 0x1_7FFF_FFFDL},
                {0xFFFF_FFFCL, 0x1_FFFF_FFFCL},
                {0x10L, 0x2_0000_0010L},
        });
    }

    @Test
    void olderThanTheFirstIsNegative() {
        assertUnwraps(new long[][]{
                {10L, 10L},
                {0xFFFF_FFF6L, -10L},
                {20L, 20L},
        });
    }

    @Test
    void inputsAboveThirtyTwoBitsAreTakenModulo() {
        assertUnwraps(new long[][]{
                {0x1_0000_0005L, 5L},
                {-1L, -1L},
        });
    }
}
