// Connection quality of one received video, from RTCRtpReceiver.getStats() (W3C webrtc-stats):
// packet loss over the last interval (inbound-rtp packetsLost / packetsReceived deltas), round-trip
// time to the server (the selected candidate-pair's currentRoundTripTime; every stream shares the one
// bundled transport) and decoded frames per second (inbound-rtp framesPerSecond).

const FAIR = { lossPercent: 2, rttMs: 300, fps: 12 };
const POOR = { lossPercent: 8, rttMs: 800, fps: 5 };

export class QualityMeter {
  constructor(receiver) {
    this.receiver = receiver;
    this.previous = null; // {lost, received}
  }

  /** @returns {lossPercent, rttMs, fps, level: 'good'|'fair'|'poor'|'unknown'} (numbers may be null) */
  async measure() {
    const report = await this.receiver.getStats();
    let inbound = null;
    let pair = null;
    const transports = [];
    report.forEach((stats) => {
      if (stats.type === 'inbound-rtp' && stats.kind === 'video') inbound = stats;
      else if (stats.type === 'transport') transports.push(stats);
      else if (stats.type === 'candidate-pair' && (stats.nominated || stats.selected) && stats.state === 'succeeded') pair = stats;
    });
    for (const transport of transports) {
      if (transport.selectedCandidatePairId && report.get(transport.selectedCandidatePairId)) {
        pair = report.get(transport.selectedCandidatePairId);
      }
    }
    const result = { lossPercent: null, rttMs: null, fps: null, level: 'unknown' };
    if (pair && typeof pair.currentRoundTripTime === 'number') result.rttMs = Math.round(pair.currentRoundTripTime * 1000);
    if (inbound) {
      const lost = Math.max(0, inbound.packetsLost || 0);
      const received = inbound.packetsReceived || 0;
      if (this.previous) {
        const lostDelta = Math.max(0, lost - this.previous.lost);
        const total = lostDelta + Math.max(0, received - this.previous.received);
        result.lossPercent = total > 0 ? (100 * lostDelta) / total : 0;
      }
      this.previous = { lost, received };
      if (typeof inbound.framesPerSecond === 'number') result.fps = Math.round(inbound.framesPerSecond);
      else if (received > 0) result.fps = 0;
    }
    result.level = levelOf(result);
    return result;
  }
}

export function levelOf({ lossPercent, rttMs, fps }) {
  if (lossPercent === null && rttMs === null && fps === null) return 'unknown';
  if ((lossPercent ?? 0) >= POOR.lossPercent || (rttMs ?? 0) >= POOR.rttMs || (fps !== null && fps < POOR.fps)) return 'poor';
  if ((lossPercent ?? 0) >= FAIR.lossPercent || (rttMs ?? 0) >= FAIR.rttMs || (fps !== null && fps < FAIR.fps)) return 'fair';
  return 'good';
}
