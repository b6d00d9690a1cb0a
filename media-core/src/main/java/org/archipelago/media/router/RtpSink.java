package org.archipelago.media.router;

import io.netty.buffer.ByteBuf;

/**
 * Where a downstream's rewritten RTP packets go: typically the subscriber's
 * {@code PeerConnection::sendRtp}, later a relay link or a test recorder.
 *
 * <p>Ownership: {@link #send} takes the buffer over and must release it exactly once, on every
 * path (sent, dropped, closed). The buffer is a pooled heap buffer holding exactly the packet
 * (reader index 0) with the router's egress tailroom behind it, so SRTP can protect it in place.
 * Called on the router's event loop; it must not block, and must not call back into the router.
 */
@FunctionalInterface
public interface RtpSink {
    void send(ByteBuf packet);
}
