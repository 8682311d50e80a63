//! The progress chart: a member's answers over time as a PNG, four small panels
//! under a title — framework steps covered, answers with a quantified result,
//! length against the target band, fillers per minute — each with the answers
//! numbered from the oldest along its x axis.
//!
//! Drawn with plotters into an RGB buffer and encoded with `png`, with the font
//! compiled in (`assets/fonts/DejaVuSans.ttf`, licence beside it), so nothing is
//! read from the system. The same points give the same bytes: nothing here
//! reads a clock, a locale or a random number. The words on the chart are the
//! caller's ([`ChartText`]; `messages::progress_chart_text` writes them).

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use super::ProgressPoint;

/// The chart's size in pixels: wide enough for four readable panels, and
/// shown whole in a Discord message.
pub const WIDTH: u32 = 1000;
pub const HEIGHT: u32 = 700;

/// The quantified-results panel shows, at each answer, the share of it and
/// the answers before it (this many in all) that had a quantified result.
pub const RESULTS_WINDOW: usize = 5;

/// DejaVu Sans, registered with plotters as its `sans-serif` family.
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";

/// Colours that stay apart for colour-blind readers (Okabe and Ito).
const BLUE: RGBColor = RGBColor(0, 114, 178);
const ORANGE: RGBColor = RGBColor(230, 159, 0);
const GREEN: RGBColor = RGBColor(0, 158, 115);
const VERMILLION: RGBColor = RGBColor(213, 94, 0);
const INK: RGBColor = RGBColor(40, 40, 40);

/// The words on the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartText {
    pub title: String,
    /// Under each panel's x axis (the answers, oldest first).
    pub x_axis: String,
    /// Each panel's caption, with its unit.
    pub steps: String,
    pub quantified: String,
    pub length: String,
    pub fillers: String,
    /// Shown instead of the panels when there are no points.
    pub empty: String,
}

/// Why no chart could be made. Neither happens with the bundled font and an
/// in-memory buffer; they are reported rather than unwrapped all the same.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the bundled chart font could not be read")]
    Font,
    #[error("the chart could not be drawn: {0}")]
    Draw(String),
    #[error("the chart could not be encoded as PNG: {0}")]
    Encode(#[from] png::EncodingError),
}

/// Renders `points` (oldest first) as a PNG of [`WIDTH`] × [`HEIGHT`]. With no
/// points the image says `text.empty` under the title; one point is drawn as a
/// dot in each panel.
pub fn render(points: &[ProgressPoint], text: &ChartText) -> Result<Vec<u8>, ChartError> {
    register_font()?;
    let mut rgb = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, points, text).map_err(|e| ChartError::Draw(e.to_string()))?;
        root.present()
            .map_err(|e| ChartError::Draw(e.to_string()))?;
    }
    encode(&rgb)
}

/// Registers the bundled font once per process.
fn register_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED
        .get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;
type DrawResult =
    Result<(), DrawingAreaErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>>;

fn draw(root: &Area<'_>, points: &[ProgressPoint], text: &ChartText) -> DrawResult {
    root.fill(&WHITE)?;
    let body = root
        .margin(12, 4, 4, 4)
        .titled(&text.title, (FAMILY, 30).into_font().color(&INK))?;
    if points.is_empty() {
        let (w, h) = body.dim_in_pixel();
        let style = (FAMILY, 24)
            .into_font()
            .color(&INK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        body.draw(&Text::new(
            text.empty.as_str(),
            (w as i32 / 2, h as i32 / 3),
            style,
        ))?;
        return Ok(());
    }
    let panels = body.split_evenly((2, 2));
    let n = points.len();
    let xs = (1..=n).map(|i| i as f64);

    let steps: Vec<(f64, f64)> = xs
        .clone()
        .zip(points)
        .filter_map(|(x, p)| p.steps_percent().map(|y| (x, y)))
        .collect();
    Panel::new(&text.steps, BLUE, 100.0).draw(&panels[0], n, &text.x_axis, &steps, &[])?;

    let results = results_share(points);
    Panel::new(&text.quantified, ORANGE, 100.0).draw(&panels[1], n, &text.x_axis, &results, &[])?;

    let words: Vec<(f64, f64)> = xs
        .clone()
        .zip(points)
        .map(|(x, p)| (x, f64::from(p.words)))
        .collect();
    let bands: Vec<(f64, f64, f64)> = xs
        .clone()
        .zip(points)
        .map(|(x, p)| (x, f64::from(p.target_words.0), f64::from(p.target_words.1)))
        .collect();
    let top = words
        .iter()
        .map(|w| w.1)
        .chain(bands.iter().map(|b| b.2))
        .fold(0.0, f64::max);
    Panel::new(&text.length, GREEN, headroom(top, 10.0)).draw(
        &panels[2],
        n,
        &text.x_axis,
        &words,
        &bands,
    )?;

    let fillers: Vec<(f64, f64)> = xs
        .zip(points)
        .map(|(x, p)| (x, p.fillers_per_minute))
        .collect();
    let top = fillers.iter().map(|f| f.1).fold(0.0, f64::max);
    Panel::new(&text.fillers, VERMILLION, headroom(top, 2.0)).draw(
        &panels[3],
        n,
        &text.x_axis,
        &fillers,
        &[],
    )?;
    Ok(())
}

/// At each answer whose framework measures results, the share in percent of
/// it and the measured answers before it, [`RESULTS_WINDOW`] in all, that had
/// a quantified result.
fn results_share(points: &[ProgressPoint]) -> Vec<(f64, f64)> {
    let measured: Vec<(f64, bool)> = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.measured)
        .map(|(i, p)| ((i + 1) as f64, p.quantified))
        .collect();
    (0..measured.len())
        .map(|i| {
            let window = &measured[(i + 1).saturating_sub(RESULTS_WINDOW)..=i];
            let yes = window.iter().filter(|(_, q)| *q).count();
            (measured[i].0, yes as f64 * 100.0 / window.len() as f64)
        })
        .collect()
}

/// A y axis top a little above `max`, and never below `floor`, so a flat
/// series of zeros still has an axis.
fn headroom(max: f64, floor: f64) -> f64 {
    (max * 1.15).max(floor)
}

/// One of the four panels: a caption, a line with a dot per answer, and
/// optionally a shaded band per answer (the length panel's target).
struct Panel<'a> {
    caption: &'a str,
    color: RGBColor,
    y_max: f64,
}

impl<'a> Panel<'a> {
    fn new(caption: &'a str, color: RGBColor, y_max: f64) -> Self {
        Panel {
            caption,
            color,
            y_max,
        }
    }

    fn draw(
        &self,
        area: &Area<'_>,
        answers: usize,
        x_desc: &str,
        line: &[(f64, f64)],
        bands: &[(f64, f64, f64)],
    ) -> DrawResult {
        let mut chart = ChartBuilder::on(area)
            .caption(self.caption, (FAMILY, 20).into_font().color(&INK))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(48)
            .build_cartesian_2d(0.5..answers as f64 + 0.5, 0.0..self.y_max)?;
        let whole = |x: &f64| {
            let rounded = x.round();
            if (x - rounded).abs() < 1e-6 && rounded >= 1.0 {
                format!("{rounded:.0}")
            } else {
                String::new()
            }
        };
        let fine = self.y_max < 10.0;
        let y_label = |y: &f64| {
            if fine {
                format!("{y:.1}")
            } else {
                format!("{y:.0}")
            }
        };
        chart
            .configure_mesh()
            .x_labels(answers.min(10))
            .y_labels(6)
            .x_label_formatter(&whole)
            .y_label_formatter(&y_label)
            .x_desc(x_desc)
            .label_style((FAMILY, 14).into_font().color(&INK))
            .axis_desc_style((FAMILY, 14).into_font().color(&INK))
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(215, 215, 215))
            .disable_x_mesh()
            .draw()?;
        let band = self.color.mix(0.18).filled();
        chart.draw_series(
            bands
                .iter()
                .map(|&(x, lo, hi)| Rectangle::new([(x - 0.4, lo), (x + 0.4, hi)], band)),
        )?;
        let stroke = self.color.stroke_width(2);
        chart.draw_series(LineSeries::new(line.iter().copied(), stroke))?;
        let dot = self.color.filled();
        chart.draw_series(line.iter().map(|&p| Circle::new(p, 4, dot)))?;
        Ok(())
    }
}

/// The RGB buffer as an 8-bit RGB PNG.
fn encode(rgb: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}
