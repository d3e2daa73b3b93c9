package org.edgefront.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders a report in headless Chromium (Debian package {@code chromium}) with networking disabled and
 * checks the screenshot: a PNG of the window size that is not blank and shows the plots' front points,
 * the budget line and the heatmap colours. Skipped (not failed) where no Chromium is installed.
 */
@Tag("slow")
class ReportScreenshotTest {
    private static final int WIDTH = 1400;
    private static final int HEIGHT = 2000;

    @TempDir
    Path tmp;

    static String chromium() {
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(c))) return c;
        }
        return null;
    }

    static BufferedImage screenshot(String chrome, Path html, Path png, Path profile) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--screenshot=" + png, "--window-size=" + WIDTH + "," + HEIGHT, html.toUri().toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp(png, "chromium.log").toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s");
        }
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + readQuietly(tmp(png, "chromium.log")));
        assertTrue(Files.exists(png), "screenshot written");
        byte[] head = Files.readAllBytes(png);
        assertTrue(head.length > 8 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', "PNG signature");
        return ImageIO.read(png.toFile());
    }

    private static Path tmp(Path png, String name) { return png.resolveSibling(name); }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Pixels within {@code tol} of an RGB colour. */
    static int count(BufferedImage im, int rgb, int tol) {
        int n = 0;
        int r0 = rgb >> 16 & 0xff;
        int g0 = rgb >> 8 & 0xff;
        int b0 = rgb & 0xff;
        for (int y = 0; y < im.getHeight(); y++) {
            for (int x = 0; x < im.getWidth(); x++) {
                int c = im.getRGB(x, y);
                if (Math.abs((c >> 16 & 0xff) - r0) <= tol && Math.abs((c >> 8 & 0xff) - g0) <= tol && Math.abs((c & 0xff) - b0) <= tol) n++;
            }
        }
        return n;
    }

    @Test
    void reportRendersInHeadlessChromiumWithPlotsBudgetAndHeatmap() throws Exception {
        String chrome = chromium();
        Assumptions.assumeTrue(chrome != null, "Debian's chromium package is not installed");
        Path dir = SearchDirFixture.write(tmp.resolve("run"), true, "{\"memory_bytes\": {\"atMost\": " + SearchDirFixture.MEMORY_BUDGET + "}}",
                true, 60, 2);
        Path html = Path.of(java.net.URI.create(ReportWriter.write(dir.toString())));
        Path png = tmp.resolve("shot/report.png");
        Files.createDirectories(png.getParent());
        BufferedImage im = screenshot(chrome, html, png, Files.createDirectories(tmp.resolve("profile")));
        assertEquals(WIDTH, im.getWidth());
        assertEquals(HEIGHT, im.getHeight());
        Set<Integer> colours = new HashSet<>();
        long nonWhite = 0;
        for (int y = 0; y < im.getHeight(); y += 2) {
            for (int x = 0; x < im.getWidth(); x += 2) {
                int c = im.getRGB(x, y) & 0xffffff;
                colours.add(c);
                if (c != 0xffffff) nonWhite++;
            }
        }
        assertTrue(colours.size() > 200, "a rendered page has many colours, got " + colours.size());
        assertTrue(nonWhite > (im.getWidth() / 2) * (im.getHeight() / 2) / 5, "not a blank page");
        // the header band is dark navy across the top
        int header = im.getRGB(WIDTH / 2, 10) & 0xffffff;
        assertTrue((header >> 16 & 0xff) < 60 && (header & 0xff) < 110, "dark header, got " + Integer.toHexString(header));
        assertTrue(count(im, 0x2563eb, 12) > 300, "front points (#2563eb) are drawn");
        assertTrue(count(im, 0xdc2626, 20) > 100, "the budget line (#dc2626) is drawn");
        // the synthetic banner (#fef3c7) spans the page under the header
        assertTrue(count(im, 0xfef3c7, 3) > 20_000, "SYNTHETIC banner visible");
    }
}
