package org.rvsm.nn;

import ai.djl.engine.Engine;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * Which implementation runs the PyTorch engine's CPU convolutions, chosen in-process (the engine's
 * switch for library users; see docs/conv-nan.md for why it exists and what each kind costs).
 *
 * <ul>
 *   <li>{@link Kind#ONEDNN} (the default, PyTorch's own default): oneDNN's JIT kernels for the best
 *       instruction set of the CPU (jit:avx512_core on AVX-512 machines, on channel-blocked layouts).
 *   <li>{@link Kind#NATIVE}: oneDNN convolutions off, PyTorch's im2col + BLAS convolutions, as
 *       {@code torch.backends.mkldnn.enabled = False} in Python. Switchable at any time.
 *   <li>{@link Kind#SSE41}: oneDNN capped to SSE4.1 (im2col + oneDNN's SSE4.1 GEMM, plain layouts),
 *       as {@code ONEDNN_MAX_CPU_ISA=SSE41} in the environment. oneDNN reads that once, at its first
 *       use in the process: it only works when chosen before the first convolution runs, and an
 *       {@code ONEDNN_MAX_CPU_ISA} or {@code DNNL_MAX_CPU_ISA} already in the environment wins.
 * </ul>
 *
 * The choice comes from the system property {@value #PROPERTY}, else the environment variable
 * {@value #ENV} ({@code onednn}, {@code native} or {@code sse41}), else {@link Kind#ONEDNN}.
 * NATIVE and SSE41 need a Linux CPU build of PyTorch (the switches are symbols of libtorch_cpu.so
 * and libc) and throw elsewhere; ONEDNN changes nothing unless NATIVE was chosen before.
 */
public final class ConvBackend {

    /** The implementations of the engine's CPU convolutions. */
    public enum Kind { ONEDNN, NATIVE, SSE41 }

    /** The system property that chooses the kind: onednn, native or sse41. */
    public static final String PROPERTY = "rvsm.conv";

    /** The environment variable that chooses the kind when the property is not set. */
    public static final String ENV = "RVSM_CONV";

    private static Kind configured;

    private ConvBackend() {
    }

    /**
     * Applies the kind chosen by {@value #PROPERTY} / {@value #ENV} (default ONEDNN) and returns it.
     * Idempotent: only the first call in a process does anything. Call it before the engine's first
     * convolution (for SSE41 that is required): before building or running a model.
     */
    public static synchronized Kind configure() {
        if (configured == null) {
            use(parse(System.getProperty(PROPERTY, System.getenv(ENV))));
        }
        return configured;
    }

    /** Applies kind now (tests and benchmarks; see the class comment for when SSE41 takes effect). */
    public static synchronized void use(Kind kind) {
        switch (kind) {
            case ONEDNN -> {
                if (configured == Kind.NATIVE) { // PyTorch's default otherwise: nothing to do (nor to fail on)
                    setOneDnnEnabled(true);
                }
            }
            case NATIVE -> setOneDnnEnabled(false);
            case SSE41 -> {
                if (configured == Kind.NATIVE) {
                    setOneDnnEnabled(true);
                }
                if (System.getenv("ONEDNN_MAX_CPU_ISA") == null && System.getenv("DNNL_MAX_CPU_ISA") == null) {
                    // the C environment oneDNN reads, not Java's copy of it
                    Function setenv = NativeLibrary.getInstance("c").getFunction("setenv");
                    if (setenv.invokeInt(new Object[] {"ONEDNN_MAX_CPU_ISA", "SSE41", 1}) != 0) {
                        throw new IllegalStateException("setenv ONEDNN_MAX_CPU_ISA failed");
                    }
                }
            }
            default -> throw new AssertionError(kind);
        }
        configured = kind;
    }

    /** Whether PyTorch may run convolutions on oneDNN (at::globalContext().userEnabledMkldnn()). */
    public static boolean oneDnnEnabled() {
        Engine.getInstance();
        NativeLibrary torch = torchCpu();
        return (torch.getFunction("_ZNK2at7Context17userEnabledMkldnnEv").invokeInt(new Object[] {context(torch)})
                & 0xff) != 0;
    }

    /**
     * The kind that {@value #PROPERTY} / {@value #ENV} ask for, without applying it (so a front end
     * can refuse a bad value before any work).
     *
     * @throws IllegalArgumentException naming the setting and the value when it is not a kind
     */
    public static Kind requested() {
        return parse(System.getProperty(PROPERTY, System.getenv(ENV)));
    }

    static Kind parse(String value) {
        if (value == null || value.isBlank()) {
            return Kind.ONEDNN;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "onednn" -> Kind.ONEDNN;
            case "native" -> Kind.NATIVE;
            case "sse41" -> Kind.SSE41;
            default -> throw new IllegalArgumentException(
                    PROPERTY + " / " + ENV + " must be onednn, native or sse41, got '" + value + "'");
        };
    }

    private static void setOneDnnEnabled(boolean enabled) {
        Engine.getInstance(); // loads libtorch
        NativeLibrary torch = torchCpu();
        torch.getFunction("_ZN2at7Context20setUserEnabledMkldnnEb").invokeVoid(new Object[] {context(torch), enabled});
    }

    private static Pointer context(NativeLibrary torch) {
        return (Pointer) torch.getFunction("_ZN2at13globalContextEv").invoke(Pointer.class, new Object[0]);
    }

    /** libtorch_cpu.so as DJL loaded it (from its cache directory, found in this process's mappings). */
    private static NativeLibrary torchCpu() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash >= 0 && line.endsWith("/libtorch_cpu.so")) {
                    return NativeLibrary.getInstance(line.substring(slash));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/maps to find libtorch_cpu.so", e);
        }
        throw new IllegalStateException("libtorch_cpu.so is not loaded: the convolution backend can only be"
                + " chosen on a Linux CPU build of the PyTorch engine");
    }
}
