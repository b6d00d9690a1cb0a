package org.archipelago.media.router;

/**
 * One subscriber's copy of one forwarded track: its own continuous RTP stream
 * ({@link RtpStreamRewriter}), fed by at most one {@link Source} at a time, delivered to an
 * {@link RtpSink}.
 *
 * <p>A downstream switches sources only at a key frame of the new source: after
 * {@link Router#subscribe} it keeps forwarding its current source (if any) until the new one sends
 * a key frame, then forwards the new one from that packet on. Simulcast layer switching will use
 * the same mechanism with one source per layer.
 *
 * <p>Created by {@link Router#addDownstream}; owned by the router's event loop.
 */
public final class Downstream {
    private final String id;
    final RtpStreamRewriter rewriter;
    final RtpSink sink;

    /** The source being forwarded, or null. */
    Source source;
    /** The source to switch to at its next key frame, or null. */
    Source pendingSource;
    boolean removed;

    long forwarded;
    long droppedWaitingForKeyframe;
    long droppedTooOld;
    long droppedMalformedRed;
    long redUnwrapped;
    long keyframeRequests;

    Downstream(String id, RtpStreamRewriter rewriter, RtpSink sink) {
        this.id = id;
        this.rewriter = rewriter;
        this.sink = sink;
    }

    public String id() {
        return id;
    }

    /** The rewriter, e.g. to map payload type numbers for this subscriber. */
    public RtpStreamRewriter rewriter() {
        return rewriter;
    }

    /** The source being forwarded now, or null. */
    public Source source() {
        return source;
    }

    /** The source this downstream switches to at its next key frame, or null. */
    public Source pendingSource() {
        return pendingSource;
    }

    /** True while a new source has been chosen and its key frame has not arrived. */
    public boolean isWaitingForKeyframe() {
        return pendingSource != null;
    }

    /** Packets handed to the sink. */
    public long forwarded() {
        return forwarded;
    }

    /** Packets of the pending source dropped before its key frame. */
    public long droppedWaitingForKeyframe() {
        return droppedWaitingForKeyframe;
    }

    /** Packets refused by the rewriter as too old. */
    public long droppedTooOld() {
        return droppedTooOld;
    }

    /** RED packets not sent because their headers were malformed and this subscriber needs the primary block. */
    public long droppedMalformedRed() {
        return droppedMalformedRed;
    }

    /** RED packets sent as their primary block, this subscriber not having negotiated RED. */
    public long redUnwrapped() {
        return redUnwrapped;
    }

    /** Key frame requests from the subscriber (PLI/FIR) passed on to the source's requester. */
    public long keyframeRequests() {
        return keyframeRequests;
    }

    public boolean isRemoved() {
        return removed;
    }

    @Override
    public String toString() {
        return "Downstream[" + id + "]";
    }
}
