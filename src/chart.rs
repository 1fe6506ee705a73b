//! The cost curve as an SVG line chart (plotters), for `cf-scale cost --chart`.

use plotters::prelude::*;

use crate::engine::cost::CostReport;

/// Draws `report.curve` (total per month against traffic multiplier, log-scaled x axis) with
/// the break points marked. Returns the SVG text.
pub fn cost_curve_svg(report: &CostReport) -> Result<String, String> {
    let points: Vec<(f64, f64)> = report
        .curve
        .iter()
        .map(|p| (p.multiplier, f64::try_from(p.total_usd).unwrap_or(0.0)))
        .collect();
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Err("no curve to draw: give --curve".to_owned());
    };
    let (x_min, x_max) = (first.0, last.0.max(first.0 * 1.01));
    let y_max = points.iter().map(|p| p.1).fold(0.0, f64::max).max(1.0) * 1.1;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("Monthly cost on {}", report.plan.name()),
                ("sans-serif", 22),
            )
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d((x_min..x_max).log_scale(), 0.0..y_max)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("traffic multiplier")
            .y_desc("USD per month")
            .x_label_formatter(&|x| format!("×{x}"))
            .y_label_formatter(&|y| format!("${y:.0}"))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                BLUE.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 3, BLUE.filled())))
            .map_err(|e| e.to_string())?;
        let breaks = report
            .break_points
            .iter()
            .filter(|b| b.multiplier >= x_min && b.multiplier <= x_max);
        chart
            .draw_series(breaks.map(|b| {
                PathElement::new(
                    vec![(b.multiplier, 0.0), (b.multiplier, y_max)],
                    RED.mix(0.5),
                )
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}
