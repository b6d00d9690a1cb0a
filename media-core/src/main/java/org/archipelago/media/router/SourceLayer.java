package org.archipelago.media.router;

/**
 * Where a {@link Source} sits among the layers of its publisher's track, as far as asking for its
 * key frames goes. A key frame of a high layer is the largest picture the publisher sends, and a
 * subscriber kept waiting for one can be given a lower layer meanwhile, so high layers are asked
 * less often ({@link KeyframeThrottle}).
 */
public enum SourceLayer {
    /** The base (lowest) layer of a simulcast track, or a track without simulcast: audio, a camera, a screen. */
    LOW,
    /** A layer above the base one of a simulcast track. */
    HIGH
}
