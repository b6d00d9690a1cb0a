package org.archipelago.media.rtx;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NACK timing under loss patterns, driven by a virtual clock. Each row is a script of steps:
 * <ul>
 *   <li>{@code p<seq>@<ms>}: an original packet arrives;</li>
 *   <li>{@code x<seq>@<ms>+} / {@code x<seq>@<ms>-}: an RTX restores {@code seq}, which must be
 *       (+) or must not be (-) one that was missing;</li>
 *   <li>{@code n@<ms>=a,b}: the NACK due at that time lists exactly a, b (nothing after {@code =}: none).</li>
 * </ul>
 * Timing: reordering window 15 ms or 3 packets, RTT as the row says, 10 NACKs, 1 s.
 */
class NackGeneratorTest {
    private static final long MS = 1_000_000L;

    static Stream<Arguments> lossPatterns() {
        return Stream.of(
                row("single loss: waits out reordering, NACKs, again after an RTT, recovered", 100, 10,
                        "p100@0 p101@1 p103@2 n@10= n@17=102 n@50= n@116= n@117=102 x102@120+ n@300=",
                        1, 1, 0, 2, 0),
                row("burst: packets far enough behind the newest go at once, the rest after 15 ms", 100, 10,
                        "p1@0 p6@1 n@5=2,3 n@15= n@16=4,5 n@105=2,3 n@116=4,5",
                        1, 0, 0, 8, 0),
                row("reordering within the window is never NACKed", 100, 10,
                        "p1@0 p3@1 p2@3 p4@4 p5@5 p7@6 p6@8 p8@9 n@20= n@200=",
                        2, 0, 0, 0, 0),
                row("a late arrival cancels the resend", 100, 10,
                        "p1@0 p3@1 n@20=2 p2@25 n@130= x2@140-",
                        1, 0, 0, 1, 0),
                row("resend after each RTT (40 ms)", 40, 10,
                        "p1@0 p3@1 n@20=2 n@50= n@60=2 n@99= n@100=2",
                        1, 0, 0, 3, 0),
                row("gives up after 2 NACKs, one RTT after the last", 100, 2,
                        "p1@0 p3@1 n@20=2 n@120=2 n@219= n@220= x2@230-",
                        1, 0, 1, 2, 0),
                row("gives up when older than 1 s", 400, 10,
                        "p1@0 p3@1 n@20=2 n@420=2 n@820=2 n@1002= x2@1010-",
                        1, 0, 1, 3, 0),
                row("16-bit wrap: 65535 and 0 lost between 65534 and 1", 100, 10,
                        "p65533@0 p65534@1 p1@2 n@10= n@20=65535,0 x0@30+ n@120=65535 x65535@130+ x65535@131-",
                        1, 2, 0, 3, 0),
                row("an RTX of a packet received, never seen, or before the first is not needed", 100, 10,
                        "x5@0- p10@1 x10@2- x9@3- x11@4- p11@5 n@50=",
                        0, 0, 0, 0, 0),
                row("a jump of a whole window forgets the state instead of asking for it all", 100, 10,
                        "p1@0 p3@1 p20003@2 n@100= p20005@101 n@120=20004",
                        2, 0, 1, 1, 1),
                row("the window edge: a missing packet pushed out of the window is given up", 100, 10,
                        "p0@0 p2@1 p514@2 n@100=" + range(3, 64),
                        2, 0, 1, 64, 0));
    }

    private static String range(int from, int count) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append(i == 0 ? "" : ",").append(from + i);
        }
        return out.toString();
    }

    private static Arguments row(String name, long rttMs, int maxNacks, String script,
                                 long gaps, long recovered, long gaveUp, long nacked, long resets) {
        return Arguments.of(name, rttMs, maxNacks, script, new long[] {gaps, recovered, gaveUp, nacked, resets});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lossPatterns")
    void nacksFollowTheLossPattern(String name, long rttMs, int maxNacks, String script, long[] counters) {
        NackGenerator generator = new NackGenerator(0x1234, 15 * MS, 3, maxNacks, 1000 * MS);
        int[] out = new int[64];
        for (String step : script.split(" ")) {
            char op = step.charAt(0);
            int at = step.indexOf('@');
            if (op == 'p' || op == 'x') {
                int sequenceNumber = Integer.parseInt(step.substring(1, at));
                boolean expectNeeded = step.endsWith("+");
                String time = op == 'x' ? step.substring(at + 1, step.length() - 1) : step.substring(at + 1);
                long now = Long.parseLong(time) * MS;
                if (op == 'p') {
                    generator.onPacket(sequenceNumber, now);
                } else {
                    assertEquals(expectNeeded, generator.onRetransmission(sequenceNumber, now), step);
                }
            } else {
                int equals = step.indexOf('=');
                long now = Long.parseLong(step.substring(at + 1, equals)) * MS;
                int count = generator.collectDue(now, rttMs * MS, out, out.length);
                String expected = step.substring(equals + 1);
                List<Integer> want = new ArrayList<>();
                if (!expected.isEmpty()) {
                    for (String s : expected.split(",")) {
                        want.add(Integer.parseInt(s));
                    }
                }
                assertEquals(want, Arrays.stream(out, 0, count).boxed().toList(), step);
            }
        }
        long[] actual = {generator.gapsDetected(), generator.packetsRecovered(), generator.gaveUp(),
                generator.nackedSequenceNumbers(), generator.resets()};
        assertEquals(Arrays.toString(counters), Arrays.toString(actual), "gaps, recovered, gave up, nacked, resets");
    }

    @Test
    void stateStaysWithinTheWindowWhateverTheJumps() {
        NackGenerator generator = new NackGenerator(1);
        int[] out = new int[64];
        long now = 0;
        int sequenceNumber = 0;
        // Jumps of 511 (just inside the window) and far beyond it, across many wraps.
        for (int i = 0; i < 2000; i++) {
            generator.onPacket(sequenceNumber, now);
            assertTrue(generator.missingCount() < NackGenerator.WINDOW, "missing " + generator.missingCount());
            sequenceNumber = (sequenceNumber + (i % 2 == 0 ? 512 : 30_000)) & 0xFFFF;
            now += MS;
            assertTrue(generator.collectDue(now, -1, out, out.length) <= out.length);
        }
        assertTrue(generator.resets() > 0);
        assertEquals(generator.packetsMissed(),
                generator.missingCount() + generator.gaveUp() + generator.packetsRecovered() + generator.lateArrivals());
    }
}
