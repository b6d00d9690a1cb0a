/**
 * Retransmission on the send side of a leg (RFC 4585 §6.2.1 generic NACK, RFC 4588 RTX): a bounded
 * per-stream {@link org.archipelago.media.rtx.RetransmissionHistory} of what was sent, and the
 * {@link org.archipelago.media.rtx.NackResponder} that answers a peer's NACKs from it, at most once
 * per RTT per packet and within a per-NACK and per-second budget.
 */
package org.archipelago.media.rtx;
