package org.archipelago.media.impair;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The bursty loss model against its closed forms, over a million packets with fixed seeds. */
class GilbertElliottLossTest {
    private static final int PACKETS = 1_000_000;

    /** Runs the model; returns {loss rate, mean burst length}. */
    private static double[] run(LossModel.GilbertElliott model, long seed) {
        GilbertElliottLoss loss = new GilbertElliottLoss(model);
        SplittableRandom random = new SplittableRandom(seed);
        long lost = 0;
        long bursts = 0;
        boolean previousLost = false;
        for (int i = 0; i < PACKETS; i++) {
            boolean l = loss.lose(random);
            if (l) {
                lost++;
                if (!previousLost) {
                    bursts++;
                }
            }
            previousLost = l;
        }
        return new double[] {(double) lost / PACKETS, (double) lost / bursts};
    }

    @Test
    void gilbertModelMeanLossAndBurstLengthMatchTheClosedForms() {
        // p = 1 %, r = 20 %: Bad 1/21 of the time (4.76 % loss), bursts of 1/r = 5 packets.
        LossModel.GilbertElliott model = new LossModel.GilbertElliott(0.01, 0.2, 0, 1);
        assertEquals(0.047619, model.meanLossRate(), 1e-6);
        assertEquals(5.0, model.meanBurstLength(), 1e-9);
        double[] measured = run(model, 42);
        assertEquals(model.meanLossRate(), measured[0], model.meanLossRate() * 0.05, "loss rate");
        assertEquals(model.meanBurstLength(), measured[1], model.meanBurstLength() * 0.05, "mean burst length");
    }

    @Test
    void partialLossInBadShortensBurstsAsTheClosedFormSays() {
        // Bad loses 70 %: q = 0.9 * 0.7 = 0.63, mean burst 1 / 0.37 = 2.70.
        LossModel.GilbertElliott model = new LossModel.GilbertElliott(0.02, 0.1, 0, 0.7);
        double[] measured = run(model, 7);
        assertEquals(1 / 0.37, model.meanBurstLength(), 1e-9);
        assertEquals(model.meanLossRate(), measured[0], model.meanLossRate() * 0.05, "loss rate");
        assertEquals(model.meanBurstLength(), measured[1], model.meanBurstLength() * 0.05, "mean burst length");
    }

    @Test
    void lossInBothStatesAveragesByTheStationaryDistribution() {
        // π_B = 0.05 / 0.30 = 1/6: 5/6 · 1 % + 1/6 · 40 % = 7.5 %.
        LossModel.GilbertElliott model = new LossModel.GilbertElliott(0.05, 0.25, 0.01, 0.4);
        assertEquals(0.075, model.meanLossRate(), 1e-9);
        assertEquals(model.meanLossRate(), run(model, 1234)[0], 0.075 * 0.05);
        assertThrows(IllegalStateException.class, model::meanBurstLength);
    }

    @Test
    void rejectsImpossibleParameters() {
        assertThrows(IllegalArgumentException.class, () -> new LossModel.GilbertElliott(1.5, 0.1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new LossModel.GilbertElliott(0, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new LossModel.GilbertElliott(0.1, 0.1, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> LossModel.uniform(-0.1));
    }
}
