package org.archipelago.media.impair;

import java.util.SplittableRandom;

/**
 * The running state of a {@link LossModel.GilbertElliott} model: which state the chain is in.
 * Starts in Good. Not thread-safe: one link, one event loop.
 */
public final class GilbertElliottLoss {
    private final LossModel.GilbertElliott model;
    private boolean bad;

    public GilbertElliottLoss(LossModel.GilbertElliott model) {
        this.model = model;
    }

    /**
     * Decides the fate of one packet: the loss is drawn in the current state, then the chain moves.
     *
     * @return true when the packet is lost
     */
    public boolean lose(SplittableRandom random) {
        boolean lost = random.nextDouble() < (bad ? model.lossInBad() : model.lossInGood());
        if (bad) {
            if (random.nextDouble() < model.r()) {
                bad = false;
            }
        } else if (random.nextDouble() < model.p()) {
            bad = true;
        }
        return lost;
    }

    public boolean inBadState() {
        return bad;
    }
}
