package bot

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the bot's Prometheus series.
type Metrics struct {
	acks        *prometheus.HistogramVec
	inputs      *prometheus.CounterVec
	outbox      *prometheus.CounterVec
	connections prometheus.Counter
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
	}
	if reg != nil {
		reg.MustRegister(m.acks, m.inputs, m.outbox, m.connections)
	}
	return m
}
