package org.rvsm.optimizer;

/** The iterations this package runs (docs/math.md sections 2.2 and 2.3). */
public enum Method {
    /** Relaxed variable splitting: w-step on L_beta with the current u, then u = T_{lambda/beta}(w). */
    RVSM("rvsm"),
    /** Proximal gradient (ISTA type): w = T_{eta lambda}(w - eta grad l(w)); u is w itself. */
    PROXIMAL_GRADIENT("proximal-gradient"),
    /** Plain gradient descent on l(w), no penalty; u is w itself. */
    GRADIENT_DESCENT("gradient-descent");

    private final String label;

    Method(String label) {
        this.label = label;
    }

    /** Name used in reports. */
    public String label() {
        return label;
    }
}
