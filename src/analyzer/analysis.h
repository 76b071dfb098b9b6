/*
 * analysis.h - a connection's analysis, shared by manager.c and pia.c
 * (analyzers see it only through analyzer.h).
 */
#ifndef CL_AN_ANALYSIS_H
#define CL_AN_ANALYSIS_H

#include "analyzer/analyzer.h"
#include "analyzer/signature.h"

/* cl_an.flags */
enum {
    CL_ANI_CONFIRMED = 0x1,     /* confirmation raised (once per instance) */
    CL_ANI_REMOVED = 0x2,       /* disabled or stopped: no more data, freed at the sweep */
    CL_ANI_BY_PORT = 0x4,       /* attached at creation (port, registration) */
    CL_ANI_NEW = 0x8,           /* attached during the delivery in progress */
    CL_ANI_CONFIRM_QUEUED = 0x10,
    CL_ANI_VIOLATION_QUEUED = 0x20,
    CL_ANI_PIA = 0x40,          /* the DPD machinery (pia.c) */
    CL_ANI_FINISHED = 0x80      /* removed and its done() called */
};

/* An event raised during a packet, applied at its end (cl_an_drain). */
enum { CL_EV_CONFIRM = 1, CL_EV_VIOLATION, CL_EV_FAILED };

typedef struct cl_an_event {
    uint8_t type;
    cl_an *a;                   /* CONFIRM, VIOLATION */
    const char *name;           /* FAILED: the analyzer's name */
} cl_an_event;

typedef struct cl_analysis {
    struct cl_engine *e;
    struct cl_conn *c;
    cl_an *list;                /* the connection's analyzers, in attach order */
    cl_an *idle_owner;          /* the analyzer whose idle expiry is armed */
    double idle_interval;
    cl_an_event *ev;            /* events of the packet in progress */
    uint16_t n_ev, cap_ev;
    uint16_t busy;              /* nested deliveries in progress */
    bool swept;                 /* removals wait for the sweep */
    bool on_dirty;
    struct cl_analysis *dirty_next;
} cl_analysis;

/* pia.c: Zeek's PIA as an analyzer of its own kind, at the top of a
 * connection (after the port analyzers) or as a DPD child. */
extern const cl_analyzer cl_analyzer_pia;
/* Attach an analyzer enabled by a signature of `pia` and replay the
 * buffered data to it (manager.c). */
cl_an *cl_an_enable(cl_an *pia, const cl_analyzer *kind);
/* Attach an instance of `kind` to the connection or under `parent`
 * (manager.c); NULL if out of memory or its init failed. */
cl_an *cl_an_new(cl_analysis *ac, cl_an *parent, const cl_analyzer *kind, uint8_t flags);
/* Deliver to one instance if it is live (manager.c). */
void cl_an_deliver_one(cl_an *a, bool is_orig, uint64_t off, const uint8_t *p, uint32_t len);
void cl_an_gap_one(cl_an *a, bool is_orig, uint64_t len);

/* The PIA's replay of its buffer to a newly enabled analyzer. */
void cl_pia_replay(cl_an *pia, cl_an *to);

#endif /* CL_AN_ANALYSIS_H */
