package org.edgefront.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.cli.ReportCommand;
import org.edgefront.jobs.results.SearchDirectory;
import org.edgefront.nativert.device.DeviceProfiles;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.metric.Metric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

class ReportWriterTest {
    private static final String MEMORY_AT_MOST = "{\"memory_bytes\": {\"atMost\": " + SearchDirFixture.MEMORY_BUDGET + "}}";

    @TempDir
    Path tmp;

    static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        f.setValidating(false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    static NodeList xpath(Document d, String expr) throws Exception {
        XPath x = XPathFactory.newInstance().newXPath();
        return (NodeList) x.evaluate(expr, d, XPathConstants.NODESET);
    }

    private String render(boolean synthetic, String budgets) throws Exception {
        Path dir = SearchDirFixture.write(tmp.resolve("run"), synthetic, budgets, true, 40, 2);
        return ReportWriter.render(SearchDirectory.load(dir.toString()));
    }

    @Test
    void reportLoadsNoNetworkResourceAndIsWellFormed() throws Exception {
        String html = render(false, MEMORY_AT_MOST);
        assertFalse(html.contains("http://"), "no http:// anywhere in the page");
        assertFalse(html.contains("https://"), "no https:// anywhere in the page");
        assertFalse(html.contains("@import"), "no CSS imports");
        Document d = parse(html);
        assertEquals(0, xpath(d, "//script[@src] | //link | //img | //iframe | //object | //embed | //image | //use | //*[@href and not(starts-with(@href,'#'))]").getLength(),
                "only in-page links and no external elements");
        NodeList styled = xpath(d, "//*[@style]");
        for (int i = 0; i < styled.getLength(); i++) {
            assertFalse(((Element) styled.item(i)).getAttribute("style").contains("url("), "no url() in inline styles");
        }
        assertEquals(1, xpath(d, "//style").getLength());
        assertEquals(1, xpath(d, "//script").getLength());
    }

    @Test
    void reportHasExactlyOnePlotPerQualityAndCostPair() throws Exception {
        Document d = parse(render(false, MEMORY_AT_MOST));
        NodeList plots = xpath(d, "//svg[contains(concat(' ', @class, ' '), ' plot ')]");
        Set<String> pairs = new HashSet<>();
        for (int i = 0; i < plots.getLength(); i++) {
            Element e = (Element) plots.item(i);
            assertTrue(pairs.add(e.getAttribute("data-y") + "|" + e.getAttribute("data-x")), "duplicate plot " + e.getAttribute("data-x"));
        }
        Set<String> expected = new HashSet<>();
        for (Metric q : ReportWriter.QUALITY_AXES) for (Metric c : ReportWriter.COST_AXES) expected.add(q.jsonName() + "|" + c.jsonName());
        assertEquals(expected, pairs);
        assertEquals(10, expected.size());
        // every plot shows every front point once
        NodeList front = xpath(d, "//svg[@data-x='memory_bytes' and @data-y='kl']//circle[contains(@class,'fp')]");
        assertEquals(3, front.getLength());
    }

    @Test
    void budgetLineIsDrawnOnPlotsOfTheBudgetedMetricOnly() throws Exception {
        Document d = parse(render(false, MEMORY_AT_MOST));
        for (String y : List.of("kl", "perplexity")) {
            NodeList lines = xpath(d, "//svg[@data-x='memory_bytes' and @data-y='" + y + "']//line[@class='budget' and @data-metric='memory_bytes']");
            assertEquals(1, lines.getLength(), "memory budget line on " + y + " vs memory");
        }
        assertEquals(2, xpath(d, "//line[@class='budget']").getLength(), "no budget lines on plots of unbudgeted metrics");
        // the line sits where the budget is: between the largest feasible and smallest infeasible memory of the data
        Element line = (Element) xpath(d, "//svg[@data-x='memory_bytes' and @data-y='kl']//line[@class='budget']").item(0);
        double lineX = Double.parseDouble(line.getAttribute("x1"));
        double maxFeasibleX = Double.NEGATIVE_INFINITY;
        NodeList evals = xpath(d, "//svg[@data-x='memory_bytes' and @data-y='kl']//circle[@class='eval' or contains(@class,'fp')]");
        for (int i = 0; i < evals.getLength(); i++) maxFeasibleX = Math.max(maxFeasibleX, Double.parseDouble(((Element) evals.item(i)).getAttribute("cx")));
        assertTrue(lineX >= maxFeasibleX, "every feasible point lies left of the memory budget line");
        assertTrue(xpath(d, "//svg[@data-x='memory_bytes' and @data-y='kl']//path[@class='infeasible']").getLength() > 0,
                "the fixture has points over the budget, drawn as crosses");
    }

    @Test
    void budgetOnAQualityMetricIsAHorizontalLine() throws Exception {
        Document d = parse(render(false, "{\"kl\": {\"atMost\": 0.5}}"));
        NodeList lines = xpath(d, "//svg[@data-y='kl']//line[@class='budget' and @data-metric='kl']");
        assertEquals(ReportWriter.COST_AXES.size(), lines.getLength(), "one KL budget line per KL plot");
        Element l = (Element) lines.item(0);
        assertEquals(l.getAttribute("y1"), l.getAttribute("y2"), "horizontal");
        assertEquals(0, xpath(d, "//svg[@data-y='perplexity']//line[@class='budget']").getLength());
    }

    @Test
    void budgetFarOutsideTheDataIsMarkedOffScale() throws Exception {
        String html = render(false, "{\"memory_bytes\": {\"atMost\": 9.0e8}}");
        Document d = parse(html);
        assertEquals(0, xpath(d, "//line[@class='budget']").getLength());
        assertEquals(2, xpath(d, "//svg[@data-x='memory_bytes']//g[@class='budget-offscale' and @data-metric='memory_bytes']").getLength());
        assertTrue(html.contains("every point within"));
    }

    @Test
    void shareOfDramBudgetIsResolvedAgainstTheDeviceProfile() throws Exception {
        Path dir = SearchDirFixture.write(tmp.resolve("dram"), false, "{\"memory_bytes\": {\"shareOfDram\": 0.0004}}", true, 10, 0);
        SearchDirectory s = SearchDirectory.load(dir.toString());
        long dram = DeviceProfiles.load(TestPaths.device("samsung-galaxy-s23").toString()).dram().capacityBytes();
        SearchDirectory.Budget b = s.budget(Metric.MEMORY_BYTES).orElseThrow();
        assertTrue(b.atMost());
        assertEquals(0.0004 * dram, b.bound(), 1e-6);
        assertTrue(b.describe().contains("of DRAM"), b.describe());
    }

    @Test
    void syntheticRunsAreLabelledOnThePageAndOnEveryPlot() throws Exception {
        String synthetic = render(true, MEMORY_AT_MOST);
        Document d = parse(synthetic);
        assertEquals(1, xpath(d, "//*[@id='synthetic-banner']").getLength());
        assertEquals(10, xpath(d, "//svg[contains(@class,'plot')]/text[@class='synthmark' and .='SYNTHETIC weights']").getLength());
        assertTrue(xpath(d, "//title").item(0).getTextContent().contains("SYNTHETIC"));
        String real = ReportWriter.render(SearchDirectory.load(SearchDirFixture.write(tmp.resolve("real"), false, MEMORY_AT_MOST, true, 5, 0).toString()));
        assertFalse(real.contains("SYNTHETIC"));
    }

    @Test
    void heatmapShowsTheKneeFrontPointFirstAndOneBlockPerFrontPoint() throws Exception {
        Document d = parse(render(false, MEMORY_AT_MOST));
        NodeList blocks = xpath(d, "//div[contains(@class,'hm-block')]");
        assertEquals(3, blocks.getLength());
        NodeList active = xpath(d, "//div[contains(@class,'hm-block') and contains(@class,'active')]");
        assertEquals(1, active.getLength());
        // objectives kl, memory, energy scaled to the front: BEST (0, 1, 1), MIDDLE (0.28, 0.4, 0.4), SMALL (1, 0, 0):
        // MIDDLE is nearest the ideal point (distance 0.63 against 1.41 and 1.0)
        assertEquals(SearchDirFixture.MIDDLE, ((Element) active.item(0)).getAttribute("data-id"));
        // bits table of the best point: embedding row + 2 layers, 7 roles each; blk.0 q is int4g32 = 4.5 bits
        Element best = (Element) xpath(d, "//div[@data-id='" + SearchDirFixture.BEST + "']").item(0);
        NodeList rows = xpath(d, "//div[@data-id='" + SearchDirFixture.BEST + "']//table[contains(@class,'hm-bits')]/tbody/tr");
        assertEquals(3, rows.getLength());
        NodeList q0 = xpath(d, "//div[@data-id='" + SearchDirFixture.BEST + "']//table[contains(@class,'hm-bits')]/tbody/tr[th='blk.0']/td[1]");
        assertEquals("int4g324.5", q0.item(0).getTextContent());
        assertTrue(best.getAttribute("id").equals("pt-" + SearchDirFixture.BEST));
        // the sparse and low-rank choices of the small point show in its sparsity table
        String small = "//div[@data-id='" + SearchDirFixture.SMALL + "']//table[contains(@class,'hm-sparsity')]/tbody/tr[th='blk.1']";
        assertEquals("2:450% zeros", xpath(d, small + "/td[6]").item(0).getTextContent());
        assertEquals("lowrank", ((Element) xpath(d, small + "/td[4]").item(0)).getAttribute("class"));
        // the middle point's Q4_K gate of layer 1 has rows of 64: llama.cpp stores Q5_0 (5.5 bits), and the cell says so
        Element gate = (Element) xpath(d, "//div[@data-id='" + SearchDirFixture.MIDDLE + "']//table[contains(@class,'hm-bits')]/tbody/tr[th='blk.1']/td[5]").item(0);
        assertEquals("Q5_0*5.5", gate.getTextContent());
        assertTrue(gate.getAttribute("title").contains("Q4_K, stored as Q5_0"), gate.getAttribute("title"));
        assertTrue(xpath(d, "//div[@data-id='" + SearchDirFixture.MIDDLE + "']//span[@class='chip' and .='Q4_K \u2192 Q5_0 \u00d7 1']").getLength() == 1);
        // the selector lists every front point, lowest KL first, the knee selected
        NodeList options = xpath(d, "//select[@id='point-select']/option");
        assertEquals(3, options.getLength());
        assertEquals(SearchDirFixture.BEST, ((Element) options.item(0)).getAttribute("value"));
        assertEquals("selected", ((Element) options.item(1)).getAttribute("selected"));
    }

    @Test
    void frontTableLinksEachPointToItsHeatmap() throws Exception {
        Document d = parse(render(false, MEMORY_AT_MOST));
        NodeList links = xpath(d, "//table[@id='front-table']//a[@class='pt-link']");
        assertEquals(3, links.getLength());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < links.getLength(); i++) {
            Element a = (Element) links.item(i);
            String target = a.getAttribute("href").substring(1);
            assertEquals(1, xpath(d, "//div[@id='" + target + "']").getLength(), "anchor " + target + " exists");
            ids.add(a.getTextContent());
        }
        assertEquals(List.of(SearchDirFixture.BEST, SearchDirFixture.MIDDLE, SearchDirFixture.SMALL), ids, "sorted by KL");
    }

    @Test
    void failedEvaluationsAreCountedAndListedButNotPlotted() throws Exception {
        Path dir = SearchDirFixture.write(tmp.resolve("f"), false, MEMORY_AT_MOST, true, 12, 4);
        SearchDirectory s = SearchDirectory.load(dir.toString());
        assertEquals(3 + 12 + 4, s.evaluations().size());
        assertEquals(4, s.evaluations().stream().filter(SearchDirectory.EvaluatedPoint::failed).count());
        assertEquals(3, s.evaluations().stream().filter(SearchDirectory.EvaluatedPoint::onFront).count());
        Document d = parse(ReportWriter.render(s));
        assertEquals(4, xpath(d, "//section[@id='failed']//tbody/tr").getLength());
        long infeasible = s.evaluations().stream().filter(p -> !p.feasible() && !p.failed()).count();
        assertEquals(infeasible, xpath(d, "//svg[@data-x='memory_bytes' and @data-y='kl']//path[@class='infeasible']").getLength());
        assertEquals(12 - infeasible, xpath(d, "//svg[@data-x='memory_bytes' and @data-y='kl']//circle[@class='eval']").getLength());
    }

    @Test
    void withoutParquetTheFrontAloneIsShownWithANote() throws Exception {
        Path dir = SearchDirFixture.write(tmp.resolve("np"), false, MEMORY_AT_MOST, false, 0, 0);
        SearchDirectory s = SearchDirectory.load(dir.toString());
        assertEquals(3, s.evaluations().size());
        assertTrue(s.notes().stream().anyMatch(n -> n.contains("evaluations.parquet")));
    }

    @Test
    void missingFrontJsonIsInvalidInputNamingTheFile() throws Exception {
        Files.createDirectories(tmp.resolve("empty"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ReportWriter.write(tmp.resolve("empty").toString()));
        assertTrue(e.file().endsWith("front.json"), e.file());
        Files.writeString(tmp.resolve("empty/front.json"), "{\"points\": 3}");
        InvalidInputException bad = assertThrows(InvalidInputException.class, () -> ReportWriter.write(tmp.resolve("empty").toString()));
        assertEquals("points", bad.field());
    }

    @Test
    void bitsPerWeightCountScalesAndSparsityIndices() {
        assertEquals(4.5, ChoiceCell.bitsPerWeight(TensorChoice.parse("Q4_0")), 1e-12);
        assertEquals(8.5, ChoiceCell.bitsPerWeight(TensorChoice.parse("int8g32")), 1e-12);
        assertEquals(4.5, ChoiceCell.bitsPerWeight(TensorChoice.parse("Q4_K")), 1e-12);
        assertEquals(16, ChoiceCell.bitsPerWeight(TensorChoice.parse("F16")), 1e-12);
        // 2:4 keeps half the weights, each with 2 index bits
        assertEquals(0.5 * (4.5 + 2), ChoiceCell.bitsPerWeight(TensorChoice.parse("int4g32+2:4")), 1e-12);
        // 50% unstructured: half the weights plus a 1-bit bitmap per position
        assertEquals(0.5 * 8.5 + 1, ChoiceCell.bitsPerWeight(TensorChoice.parse("Q8_0+s50")), 1e-12);
    }

    @Test
    void reportCommandWritesTheFileAndPrintsItsPathAsJson() throws Exception {
        Path dir = SearchDirFixture.write(tmp.resolve("cmd"), true, MEMORY_AT_MOST, true, 5, 0);
        Path out = tmp.resolve("custom/report-copy.html");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            code = new CommandLine(new ReportCommand()).execute(dir.toString(), "--out", out.toString(), "--json");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, code);
        JsonNode n = new ObjectMapper().readTree(buf.toString(StandardCharsets.UTF_8));
        assertEquals(out.toString(), n.get("report").asText());
        assertTrue(Files.readString(out).startsWith("<!DOCTYPE html>"));
        assertEquals(0, new CommandLine(new ReportCommand()).execute(dir.toString()));
        assertTrue(Files.exists(dir.resolve(ReportWriter.FILE_NAME)));
    }
}
