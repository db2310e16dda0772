package org.rvsm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directory trees this process created itself (staging and temporary directories). */
public final class Directories {

    private Directories() {
    }

    /**
     * Deletes a directory tree that this process created, children first; nothing when it does not
     * exist. Never call it on a directory a user gave.
     */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p); // a file gone meanwhile is what was wanted
            }
        }
    }
}
