package org.archipelago.media.dtls;

/**
 * Where a {@link DtlsTransport} writes its datagrams: the UDP layer, bound to one remote address.
 *
 * <p>Called from the transport's executor thread (handshake flights, retransmissions, alerts,
 * close_notify). The implementation must copy what it needs before returning: the array may be
 * reused. It must not block for long and should not throw; a datagram it cannot send is simply
 * lost, and DTLS retransmission copes with that (RFC 6347 §4.2.4).
 */
@FunctionalInterface
public interface DatagramSender {
    void send(byte[] buf, int off, int len);
}
