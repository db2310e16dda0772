package org.rvsm.cli;

import java.util.List;
import java.util.Locale;
import org.rvsm.experiment.GradientMode;
import org.rvsm.optimizer.Method;
import org.rvsm.penalty.Penalty;

/** The named choices of the command line: penalties, methods and gradient modes. */
final class Choices {

    static final List<String> PENALTIES = List.of("l1", "l0", "tl1", "none");
    static final List<String> METHODS = List.of("rvsm", "proximal-gradient");
    static final List<String> GRADIENTS = List.of("population", "empirical", "online");

    private Choices() {
    }

    static String oneOf(String option, String value, List<String> allowed) {
        String v = value.toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw new UserError(option + " must be one of " + String.join(", ", allowed) + "; got '" + value + "'");
        }
        return v;
    }

    /**
     * The penalty for a name of {@link #PENALTIES} ({@link Penalty#named}); "none" maps to l1 with the
     * method switched to gradient descent; tl1's --a is checked here, as an option.
     */
    static Penalty penalty(String name, double a) {
        if (name.equals("none")) {
            return Penalty.l1();
        }
        return Penalty.named(name, name.equals("tl1") ? Checks.positive("--a", a) : a);
    }

    static Method method(String penaltyName, String methodName) {
        if (penaltyName.equals("none")) {
            return Method.GRADIENT_DESCENT;
        }
        return methodName.equals("rvsm") ? Method.RVSM : Method.PROXIMAL_GRADIENT;
    }

    static GradientMode gradient(String name) {
        return GradientMode.valueOf(name.toUpperCase(Locale.ROOT));
    }
}
