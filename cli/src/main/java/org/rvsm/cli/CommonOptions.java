package org.rvsm.cli;

import picocli.CommandLine.Option;

/**
 * The options every command takes, mixed into each with {@code @Mixin} so that they have one name,
 * one description and one meaning everywhere. (--help and --version come from picocli's
 * {@code mixinStandardHelpOptions}, which every command sets.)
 */
final class CommonOptions {

    /** The description of -q/--quiet, the same in every command's --help. */
    static final String QUIET = "No progress bar on stderr; results (stdout) and errors print all the same.";

    @Option(names = {"-q", "--quiet"}, description = QUIET)
    boolean quiet;

    /** A progress bar on stderr that honours --quiet. */
    ProgressBar progressBar() {
        return new ProgressBar(System.err, quiet);
    }
}
