package org.rvsm.experiment;

/** Which gradient of the teacher-student loss the optimiser sees. */
public enum GradientMode {
    /** The closed-form population gradient (docs/math.md section 1.4). */
    POPULATION("population"),
    /** Full-batch gradient over one fixed sample of n inputs. */
    EMPIRICAL("empirical"),
    /** A fresh batch of inputs every step (online SGD). */
    ONLINE("online");

    private final String label;

    GradientMode(String label) {
        this.label = label;
    }

    /** Name used on the command line and in reports. */
    public String label() {
        return label;
    }
}
