package org.rvsm.runtime;

import java.util.Arrays;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a model takes and gives: images of channels x height x width values (channel-major, each
 * plane row-major), normalised per channel as {@code (pixel / 255 - mean[c]) / std[c]}, and logits
 * over classes. Saved in a model file's metadata ({@link #toMetadata}, docs/formats.md) so that every
 * command that reads the model knows its input without being told.
 *
 * @param mean per-channel mean of pixel / 255 over the training set, or null when the file does not say
 *             (files written before 0.2: the dataset's fixed normalisation applies)
 * @param std  per-channel standard deviation, null exactly when mean is
 */
public record ImageSpec(int channels, int height, int width, int classes, float[] mean, float[] std) {

    /** The most channels, and the largest side, accepted. */
    public static final int MAX_CHANNELS = 64;
    public static final int MAX_SIDE = 4096;
    /** The most values per image accepted (16 Mi). */
    public static final int MAX_VALUES = 1 << 24;
    /** The most classes accepted. */
    public static final int MAX_CLASSES = 100_000;

    /** What a model file without these metadata keys takes: 1 x 28 x 28 images (Fashion-MNIST), 10 classes. */
    public static final ImageSpec LEGACY = new ImageSpec(1, 28, 28, 10, null, null);

    /** Metadata keys. */
    public static final String INPUT_SHAPE = "input_shape";
    public static final String CLASSES = "classes";
    public static final String MEAN = "mean";
    public static final String STD = "std";

    private static final Pattern SHAPE = Pattern.compile("\\[([1-9][0-9]{0,6}),([1-9][0-9]{0,6}),([1-9][0-9]{0,6})\\]");
    private static final Pattern WHOLE = Pattern.compile("[1-9][0-9]{0,6}");
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]{1,10}(\\.[0-9]{1,12})?([eE]-?[0-9]{1,2})?");

    public ImageSpec {
        if (channels < 1 || channels > MAX_CHANNELS || height < 1 || height > MAX_SIDE || width < 1 || width > MAX_SIDE) {
            throw new IllegalArgumentException("input shape " + channels + "x" + height + "x" + width + " is out of range"
                    + " (channels 1 to " + MAX_CHANNELS + ", sides 1 to " + MAX_SIDE + ")");
        }
        if ((long) channels * height * width > MAX_VALUES) {
            throw new IllegalArgumentException("input shape " + channels + "x" + height + "x" + width + " has more than "
                    + MAX_VALUES + " values per image");
        }
        if (classes < 1 || classes > MAX_CLASSES) {
            throw new IllegalArgumentException("classes must be in [1, " + MAX_CLASSES + "], got " + classes);
        }
        if ((mean == null) != (std == null)) {
            throw new IllegalArgumentException("mean and std must both be given or both be absent");
        }
        if (mean != null) {
            if (mean.length != channels || std.length != channels) {
                throw new IllegalArgumentException("mean has " + mean.length + " values and std " + std.length
                        + ", expected one per channel (" + channels + ")");
            }
            for (int c = 0; c < channels; c++) {
                if (!Float.isFinite(mean[c]) || !(std[c] > 0) || Float.isInfinite(std[c])) {
                    throw new IllegalArgumentException("channel " + c + " has mean " + mean[c] + " and std " + std[c]
                            + "; the mean must be finite and the std finite and positive");
                }
            }
            mean = mean.clone();
            std = std.clone();
        }
    }

    /** The same images and classes with this normalisation. */
    public ImageSpec withNormalisation(float[] mean, float[] std) {
        return new ImageSpec(channels, height, width, classes, mean, std);
    }

    /** Values per image: channels x height x width. */
    public int size() {
        return channels * height * width;
    }

    /** True when the images are the same shape (normalisation and classes aside). */
    public boolean sameShape(ImageSpec other) {
        return channels == other.channels && height == other.height && width == other.width;
    }

    /** "CxHxW", e.g. "3x32x32". */
    public String shapeText() {
        return channels + "x" + height + "x" + width;
    }

    @Override
    public float[] mean() {
        return mean == null ? null : mean.clone();
    }

    @Override
    public float[] std() {
        return std == null ? null : std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageSpec s && sameShape(s) && classes == s.classes && Arrays.equals(mean, s.mean)
                && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new int[] {channels, height, width, classes, Arrays.hashCode(mean), Arrays.hashCode(std)});
    }

    @Override
    public String toString() {
        return shapeText() + ", " + classes + " classes" + (mean == null ? "" : ", mean " + Arrays.toString(mean)
                + ", std " + Arrays.toString(std));
    }

    /** Puts this spec into a model file's metadata: input_shape "[C,H,W]", classes, and mean and std when known. */
    public void toMetadata(Map<String, String> into) {
        into.put(INPUT_SHAPE, "[" + channels + "," + height + "," + width + "]");
        into.put(CLASSES, Integer.toString(classes));
        if (mean != null) {
            into.put(MEAN, floats(mean));
            into.put(STD, floats(std));
        }
    }

    /**
     * The spec in a model file's metadata; {@link #LEGACY} when it has none of the keys (files written
     * before they existed). Strict: input_shape and classes come together, numbers are plain decimals,
     * mean and std have one finite value per channel (std positive), all within the bounds above.
     *
     * @throws IllegalArgumentException with a one-line message naming the key and the value
     */
    public static ImageSpec fromMetadata(Map<String, String> metadata) {
        String shape = metadata.get(INPUT_SHAPE);
        String classes = metadata.get(CLASSES);
        String mean = metadata.get(MEAN);
        String std = metadata.get(STD);
        if (shape == null && classes == null && mean == null && std == null) {
            return LEGACY;
        }
        if (shape == null || classes == null) {
            throw new IllegalArgumentException("metadata has " + (shape == null ? CLASSES + " but no " + INPUT_SHAPE
                    : INPUT_SHAPE + " but no " + CLASSES) + "; both or neither");
        }
        var m = SHAPE.matcher(shape);
        if (!m.matches()) {
            throw new IllegalArgumentException("metadata " + INPUT_SHAPE + " " + show(shape)
                    + " is not [channels,height,width] in positive decimals");
        }
        if (!WHOLE.matcher(classes).matches()) {
            throw new IllegalArgumentException("metadata " + CLASSES + " " + show(classes) + " is not a positive decimal");
        }
        int c = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        int w = Integer.parseInt(m.group(3));
        float[] mu = mean == null ? null : parseFloats(MEAN, mean);
        float[] sigma = std == null ? null : parseFloats(STD, std);
        try {
            return new ImageSpec(c, h, w, Integer.parseInt(classes), mu, sigma);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("metadata: " + e.getMessage(), e);
        }
    }

    private static String floats(float[] values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            sb.append(i > 0 ? "," : "").append(Float.toString(values[i])); // reads back to the same float
        }
        return sb.append(']').toString();
    }

    private static float[] parseFloats(String key, String text) {
        if (text.length() < 2 || text.length() > 40 * MAX_CHANNELS || text.charAt(0) != '['
                || text.charAt(text.length() - 1) != ']') {
            throw new IllegalArgumentException("metadata " + key + " " + show(text) + " is not a list [v,...]");
        }
        String[] parts = text.substring(1, text.length() - 1).split(",", -1);
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (!NUMBER.matcher(parts[i]).matches()) {
                throw new IllegalArgumentException("metadata " + key + " " + show(text) + ": value " + i + " "
                        + show(parts[i]) + " is not a decimal number");
            }
            out[i] = Float.parseFloat(parts[i]);
        }
        return out;
    }

    private static String show(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return Safetensors.jsonString(t, true);
    }
}
