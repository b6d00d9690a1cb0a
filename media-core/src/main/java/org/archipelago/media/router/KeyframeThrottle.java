package org.archipelago.media.router;

import java.util.concurrent.TimeUnit;

/**
 * How a {@link Router}'s sources ask their publishers for key frames: at most one request per
 * interval per source, the interval chosen by the source's {@link SourceLayer}, and a bounded
 * number of repeats when no key frame follows (see {@link KeyframeRequester}).
 *
 * @param lowLayerIntervalNanos  the interval of a {@link SourceLayer#LOW} source (a track without
 *                               simulcast, or a simulcast base layer)
 * @param highLayerIntervalNanos the interval of a {@link SourceLayer#HIGH} source, whose key
 *                               frames are the largest
 * @param maxRetries             repeats of an unanswered request
 */
public record KeyframeThrottle(long lowLayerIntervalNanos, long highLayerIntervalNanos, int maxRetries) {
    /** Default interval of a high layer. */
    public static final long DEFAULT_HIGH_LAYER_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    public KeyframeThrottle {
        if (lowLayerIntervalNanos <= 0 || highLayerIntervalNanos <= 0 || maxRetries < 0) {
            throw new IllegalArgumentException("key frame intervals must be positive and retries not negative: "
                    + lowLayerIntervalNanos + " ns (low layers), " + highLayerIntervalNanos + " ns (high layers), "
                    + maxRetries + " retries");
        }
    }

    /** 500 ms for low layers ({@link KeyframeRequester#DEFAULT_INTERVAL_NANOS}), 1 s for high ones, 5 retries. */
    public static KeyframeThrottle defaults() {
        return new KeyframeThrottle(KeyframeRequester.DEFAULT_INTERVAL_NANOS, DEFAULT_HIGH_LAYER_INTERVAL_NANOS,
                KeyframeRequester.DEFAULT_MAX_RETRIES);
    }

    /** The interval of a source of {@code layer}. */
    public long intervalNanos(SourceLayer layer) {
        return layer == SourceLayer.HIGH ? highLayerIntervalNanos : lowLayerIntervalNanos;
    }

    /** A requester for one source of {@code layer}. */
    KeyframeRequester requester(SourceLayer layer, KeyframeRequestSink sink) {
        return new KeyframeRequester(sink, intervalNanos(layer), maxRetries);
    }
}
