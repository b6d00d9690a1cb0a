package org.archipelago.media.sdp;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random mutations of the recorded offers, from a fixed seed so that a failure reproduces: the parser
 * either accepts the text or throws {@link SdpParseException}, never anything else; whatever it accepts
 * writes back to text that parses to the same model, and can be answered.
 */
class SdpParserFuzzTest {
    private static final long SEED = 0x5D9_2026L;
    private static final int ITERATIONS = 2500;
    private static final String INTERESTING_CHARACTERS = "0123456789azAZ :/=;,~*-+.{}\r\n\t\u0000\u00e9\u2028";
    private static final String[] INTERESTING_NUMBERS = {
            "0", "1", "-1", "15", "127", "128", "255", "256", "65535", "65536", "4294967295", "4294967296",
            "9223372036854775807", "99999999999999999999", ""};

    @Test
    void mutatedOffersAreAcceptedOrRejectedWithSdpParseException() {
        Random random = new Random(SEED);
        List<List<String>> fixtures = new ArrayList<>();
        for (String name : SdpFixtures.ALL) {
            fixtures.add(Arrays.asList(SdpFixtures.load(name).split("\r\n")));
        }
        int accepted = 0;
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            List<String> lines = new ArrayList<>(fixtures.get(random.nextInt(fixtures.size())));
            int mutations = 1 + random.nextInt(3);
            for (int i = 0; i < mutations && !lines.isEmpty(); i++) {
                mutate(lines, fixtures, random);
            }
            String text = String.join("\r\n", lines) + "\r\n";
            if (random.nextInt(10) == 0) {
                text = text.substring(0, random.nextInt(text.length() + 1));
            }
            if (checkOneInput(iteration, text)) {
                accepted++;
            }
        }
        // Most single mutations hit a line the parser checks, some do not: both paths must be exercised.
        assertBetween(accepted, ITERATIONS / 20, ITERATIONS - ITERATIONS / 20);
    }

    /** Returns whether the text was accepted; fails the test on any other exception or a broken round trip. */
    private static boolean checkOneInput(int iteration, String text) {
        SessionDescription parsed;
        try {
            parsed = SdpParser.parse(text);
        } catch (SdpParseException expected) {
            return false;
        } catch (RuntimeException unexpected) {
            throw new AssertionError("iteration " + iteration + ": parser threw " + unexpected + " for\n" + text, unexpected);
        }
        try {
            assertEquals(parsed, SdpParser.parse(parsed.toSdp()), "written text parses to the same model");
            SdpAnswer answer = new SdpAnswerBuilder(parsed)
                    .iceCredentials("srv1", "serverpassword0123456789")
                    .fingerprint(new Fingerprint("sha-256", "AA:BB"))
                    .hostCandidates(List.of(new HostCandidate("192.0.2.1", 40000)))
                    .build();
            assertEquals(answer.description(), SdpParser.parse(answer.toSdp()), "answer parses back");
        } catch (SdpParseException | RuntimeException | AssertionError broken) {
            throw new AssertionError("iteration " + iteration + ": accepted text broke the round trip or answer:\n"
                    + text, broken);
        }
        return true;
    }

    private static void mutate(List<String> lines, List<List<String>> fixtures, Random random) {
        int index = random.nextInt(lines.size());
        String line = lines.get(index);
        switch (random.nextInt(8)) {
            case 0 -> lines.remove(index);
            case 1 -> lines.add(random.nextInt(lines.size() + 1), line);
            case 2 -> {
                int other = random.nextInt(lines.size());
                lines.set(index, lines.get(other));
                lines.set(other, line);
            }
            case 3 -> lines.set(index, replaceCharacter(line, random));
            case 4 -> lines.set(index, insertCharacter(line, random));
            case 5 -> lines.set(index, replaceNumber(line, random));
            case 6 -> {
                List<String> donor = fixtures.get(random.nextInt(fixtures.size()));
                lines.set(index, donor.get(random.nextInt(donor.size())));
            }
            default -> {
                int colon = line.indexOf(':');
                int cut = colon >= 0 && random.nextBoolean() ? colon + 1 : random.nextInt(line.length() + 1);
                lines.set(index, line.substring(0, cut));
            }
        }
    }

    private static String replaceCharacter(String line, Random random) {
        if (line.isEmpty()) {
            return line;
        }
        int position = random.nextInt(line.length());
        return line.substring(0, position) + randomCharacter(random) + line.substring(position + 1);
    }

    private static String insertCharacter(String line, Random random) {
        int position = random.nextInt(line.length() + 1);
        return line.substring(0, position) + randomCharacter(random) + line.substring(position);
    }

    private static char randomCharacter(Random random) {
        return INTERESTING_CHARACTERS.charAt(random.nextInt(INTERESTING_CHARACTERS.length()));
    }

    /** Replaces one run of digits with a boundary value. */
    private static String replaceNumber(String line, Random random) {
        List<int[]> runs = new ArrayList<>();
        for (int i = 0; i < line.length(); ) {
            if (Character.isDigit(line.charAt(i))) {
                int start = i;
                while (i < line.length() && Character.isDigit(line.charAt(i))) {
                    i++;
                }
                runs.add(new int[]{start, i});
            } else {
                i++;
            }
        }
        if (runs.isEmpty()) {
            return line;
        }
        int[] run = runs.get(random.nextInt(runs.size()));
        return line.substring(0, run[0]) + INTERESTING_NUMBERS[random.nextInt(INTERESTING_NUMBERS.length)]
                + line.substring(run[1]);
    }

    private static void assertBetween(int value, int min, int max) {
        if (value < min || value > max) {
            fail("accepted " + value + " of " + ITERATIONS + " mutated offers, expected between " + min + " and " + max);
        }
    }
}
