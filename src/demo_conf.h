/*
 * demo_conf.h: what the embedded demo target is asked to be (the [demo]
 * section and the --demo-* options), and its documented defaults. Kept
 * apart from demo.h, which runs the target, so that the settings depend
 * on this description only, not on the code that serves it.
 */
#ifndef CICADA_DEMO_CONF_H
#define CICADA_DEMO_CONF_H

struct demo_conf {
    unsigned slots;          /* default 4 */
    double service_ms;       /* mean service time, default 20 */
    double service_cv;       /* coefficient of variation, default 0.25 */
    unsigned queue;          /* queue places, default 32 */
    int port;                /* 0 = a free port */
};

/* Fill conf with the documented defaults. */
static inline void
demo_conf_defaults(struct demo_conf *conf)
{
    conf->slots = 4;
    conf->service_ms = 20.0;
    conf->service_cv = 0.25;
    conf->queue = 32;
    conf->port = 0;
}

#endif
