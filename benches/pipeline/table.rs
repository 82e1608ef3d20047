//! The closing Markdown table: every figure with its workload and target.

/// The figures of one run, in the order they were measured.
#[derive(Debug, Default)]
pub struct Table {
    rows: Vec<(String, String, &'static str)>,
}

impl Table {
    /// Prints a figure and keeps it for the table: what was measured (with
    /// its workload), the figure, and issue 14's target (empty: none).
    pub fn add(
        &mut self,
        what: impl Into<String>,
        figure: impl Into<String>,
        target: &'static str,
    ) {
        let (what, figure) = (what.into(), figure.into());
        println!("{what}: {figure}");
        self.rows.push((what, figure, target));
    }

    /// Prints the table, ready to paste into README's Performance section.
    pub fn print(&self, machine: &str) {
        println!();
        println!("Figures for README (Performance), {machine}:");
        println!();
        println!("| what | figure | target |");
        println!("|---|---|---|");
        for (what, figure, target) in &self.rows {
            let target = if target.is_empty() { "–" } else { target };
            println!("| {what} | {figure} | {target} |");
        }
    }
}
