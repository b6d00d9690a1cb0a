package org.archipelago.media.impair;

/**
 * How an impaired link loses packets: not at all, independently ({@link Uniform}), or in bursts
 * ({@link GilbertElliott}). A value (configuration); the state a bursty model needs while running
 * lives in {@link GilbertElliottLoss}.
 */
public sealed interface LossModel {

    /** No loss. */
    LossModel NONE = new Uniform(0);

    /** The long-run fraction of packets lost, from the model's closed form. */
    double meanLossRate();

    static LossModel uniform(double probability) {
        return new Uniform(probability);
    }

    static LossModel gilbertElliott(double p, double r, double lossInGood, double lossInBad) {
        return new GilbertElliott(p, r, lossInGood, lossInBad);
    }

    /** Every packet is lost with {@code probability}, independently of the others (Bernoulli). */
    record Uniform(double probability) implements LossModel {
        public Uniform {
            requireProbability("uniform loss probability", probability);
        }

        @Override
        public double meanLossRate() {
            return probability;
        }
    }

    /**
     * The Gilbert-Elliott two-state Markov model: a Good and a Bad state, each losing packets with
     * its own probability. Per packet, the loss is drawn in the current state, then the state moves:
     * Good to Bad with probability {@code p}, Bad to Good with probability {@code r}. With
     * {@code lossInGood = 0} and {@code lossInBad = 1} it is Gilbert's original model, where a Bad
     * sojourn is exactly a burst of losses. (RFC 3611 §4.7.2 reports bursts in these terms; netem's
     * {@code loss gemodel p r 1-h 1-k} is the same model.)
     *
     * @param p          probability of moving Good to Bad after a packet
     * @param r          probability of moving Bad to Good after a packet
     * @param lossInGood loss probability in Good (netem's 1-k)
     * @param lossInBad  loss probability in Bad (netem's 1-h)
     */
    record GilbertElliott(double p, double r, double lossInGood, double lossInBad) implements LossModel {
        public GilbertElliott {
            requireProbability("Gilbert-Elliott p", p);
            requireProbability("Gilbert-Elliott r", r);
            requireProbability("Gilbert-Elliott lossInGood", lossInGood);
            requireProbability("Gilbert-Elliott lossInBad", lossInBad);
            if (p + r == 0) {
                throw new IllegalArgumentException("Gilbert-Elliott p and r cannot both be 0 (the chain would never move)");
            }
        }

        /** The stationary probability of the Bad state: p / (p + r). */
        public double badStateProbability() {
            return p / (p + r);
        }

        /** π_G·lossInGood + π_B·lossInBad, with π_B = p/(p+r) and π_G = r/(p+r). */
        @Override
        public double meanLossRate() {
            double bad = badStateProbability();
            return (1 - bad) * lossInGood + bad * lossInBad;
        }

        /**
         * The mean number of consecutive losses, for {@code lossInGood = 0}: a loss means the chain
         * is in Bad, and the next packet is lost only if the chain stays there and loses it again,
         * with probability q = (1 − r)·lossInBad; so burst lengths are geometric with mean
         * 1 / (1 − q), which is 1/r for Gilbert's model.
         *
         * @throws IllegalStateException when Good loses packets too (no simple closed form)
         */
        public double meanBurstLength() {
            if (lossInGood != 0) {
                throw new IllegalStateException("the closed form holds for lossInGood = 0 only");
            }
            return 1 / (1 - (1 - r) * lossInBad);
        }
    }

    private static void requireProbability(String what, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(what + " must be within 0..1, got " + value);
        }
    }
}
