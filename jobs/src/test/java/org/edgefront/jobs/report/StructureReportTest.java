package org.edgefront.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.edgefront.jobs.CliRun;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The report of a real structure search (synthetic model, layers may be dropped, no sparsity searched): dropped layers
 * show as dropped rather than in format colours, the sparsity table that would only say "dense" is left out, and a
 * pruned point offers only the export its shapes allow (YAML). Rendered in headless Chromium too when installed.
 */
class StructureReportTest {
    @TempDir
    Path dir;

    @Test
    void droppedLayersShowAsDroppedUnusedSectionsAreHiddenAndPrunedPointsExportToYamlOnly() throws Exception {
        Path out = CliRun.structureSearch(dir, 12, 2);
        Path html = out.resolve("report.html");
        Document d = ReportWriterTest.parse(Files.readString(html));

        assertEquals(0, ReportWriterTest.xpath(d, "//table[contains(@class,'hm-sparsity')]").getLength(), "no sparsity searched: no sparsity table");
        NodeList dropped = ReportWriterTest.xpath(d, "//table[contains(@class,'hm-bits')]//tr[@class='dropped']");
        assertTrue(dropped.getLength() > 0, "some front point drops a layer");
        for (int i = 0; i < dropped.getLength(); i++) {
            Element row = (Element) dropped.item(i);
            assertEquals(1, row.getElementsByTagName("td").getLength(), "one 'dropped' cell, no format cells");
            assertEquals("dropped", row.getElementsByTagName("td").item(0).getTextContent());
        }
        NodeList blocks = ReportWriterTest.xpath(d, "//div[contains(@class,'hm-block')]");
        int pruned = 0;
        for (int i = 0; i < blocks.getLength(); i++) {
            Element b = (Element) blocks.item(i);
            String id = b.getAttribute("data-id");
            boolean drops = ReportWriterTest.xpath(d, "//div[@data-id='" + id + "']//tr[@class='dropped']").getLength() > 0;
            String export = ReportWriterTest.xpath(d, "//div[@data-id='" + id + "']//div[@class='export']").item(0).getTextContent();
            assertTrue(export.contains("--to yaml"), export);
            if (drops) {
                pruned++;
                assertFalse(export.contains("--to llama-cpp"), "a pruned point cannot go to llama.cpp: " + export);
            }
        }
        assertTrue(pruned > 0);
        assertEquals(2, ReportWriterTest.xpath(d, "//section[@id='convergence']//*[@class='hv-dot']").getLength(), "hypervolume of each generation");
        // baselines on every plot: uniform Q8_0 and Q4_0 measured by the run's evaluators, on each of the 10 plots with data
        NodeList refs = ReportWriterTest.xpath(d, "//svg[contains(@class,'plot')]//path[@class='baseline']");
        assertTrue(refs.getLength() >= 2 * 8, "two references on the plots: " + refs.getLength());
        assertTrue(ReportWriterTest.xpath(d, "//svg[contains(@class,'plot')]//path[@class='baseline']/title[starts-with(.,'uniform Q4_0')]").getLength() > 0);

        String chrome = ReportScreenshotTest.chromium();
        Assumptions.assumeTrue(chrome != null, "Debian's chromium package is not installed");
        Path png = Files.createDirectories(dir.resolve("shot")).resolve("report.png");
        BufferedImage im = ReportScreenshotTest.screenshot(chrome, html, png, Files.createDirectories(dir.resolve("profile")));
        assertTrue(ReportScreenshotTest.count(im, 0x2563eb, 12) > 100, "front points are drawn");
        assertTrue(ReportScreenshotTest.count(im, 0xf59e0b, 16) > 100, "baseline diamonds (#f59e0b) are drawn");
    }
}
