package bot

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the bot's Prometheus series.
type Metrics struct {
	acks        *prometheus.HistogramVec
	inputs      *prometheus.CounterVec
	outbox      *prometheus.CounterVec
	connections prometheus.Counter
	// Per rate key (a channel's posts, the workspace's updates …).
	queueDepth  *prometheus.GaugeVec
	outboxWait  *prometheus.HistogramVec
	rateLimited *prometheus.CounterVec
}

// NewMetrics creates the series and registers them when reg is not nil.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		acks: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "deskbot_slack_ack_seconds", Help: "Time from receiving a Socket Mode envelope to acknowledging it.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .5, 1, 3},
		}, []string{"type"}),
		inputs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "deskbot_slack_inputs_total", Help: "Slack inputs handled, by kind and result.",
		}, []string{"kind", "result"}),
		outbox: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "deskbot_outbox_deliveries_total", Help: "Outbox deliveries, by kind and result.",
		}, []string{"kind", "result"}),
		connections: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "deskbot_slack_connections_total", Help: "Socket Mode connections opened.",
		}),
		queueDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "deskbot_outbox_queue_depth", Help: "Outbox deliveries waiting for their turn, by rate key.",
		}, []string{"key"}),
		outboxWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "deskbot_outbox_wait_seconds", Help: "Time an outbox delivery waited for its turn (pacing, Retry-After), by rate key.",
			Buckets: []float64{.01, .05, .1, .5, 1, 2, 5, 10, 30, 60, 120},
		}, []string{"key"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "deskbot_slack_rate_limited_total", Help: "Slack calls answered 429 (rate limited), by rate key.",
		}, []string{"key"}),
	}
	if reg != nil {
		reg.MustRegister(m.acks, m.inputs, m.outbox, m.connections, m.queueDepth, m.outboxWait, m.rateLimited)
	}
	return m
}
