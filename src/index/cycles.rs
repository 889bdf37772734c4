//! Cycle finding over task links (dependencies, parents) for `problems`:
//! strongly connected components with an iterative Tarjan, so a long chain of
//! 100,000 tasks cannot overflow the stack, and a shortest cycle through one
//! node to spell out in the message.

use std::collections::VecDeque;

/// The components that contain a cycle (more than one node, or a self-loop),
/// each sorted, in order of their smallest node.
pub fn cyclic_components(graph: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    let n = graph.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    // (node, position of the next edge to follow)
    let mut work: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        work.push((root, 0));
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if *edge == 0 && index[v] == UNSEEN {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = graph[v].get(*edge) {
                *edge += 1;
                if index[w] == UNSEEN {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 || graph[v].contains(&v) {
                    component.sort_unstable();
                    out.push(component);
                }
            }
        }
    }
    out.sort();
    out
}

/// A shortest cycle from `start` back to itself within `component`, as the
/// list of nodes visited, starting and ending with `start`.
pub fn cycle_through(graph: &[Vec<usize>], start: usize, component: &[usize]) -> Vec<usize> {
    let mut came_from: std::collections::HashMap<usize, usize> = Default::default();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &graph[v] {
            if component.binary_search(&w).is_err() {
                continue;
            }
            if w == start {
                let mut back = Vec::new();
                let mut at = v;
                while at != start {
                    back.push(at);
                    match came_from.get(&at) {
                        Some(&prev) => at = prev,
                        None => break,
                    }
                }
                let mut path = vec![start];
                path.extend(back.into_iter().rev());
                path.push(start);
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = came_from.entry(w) {
                e.insert(v);
                queue.push_back(w);
            }
        }
    }
    vec![start, start]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles_and_self_loops_but_not_chains() {
        // 0 → 1 → 2 → 0, 3 → 3, 4 → 0 (a chain into a cycle is not on it)
        let g = vec![vec![1], vec![2], vec![0], vec![3], vec![0]];
        assert_eq!(cyclic_components(&g), vec![vec![0, 1, 2], vec![3]]);
        assert_eq!(cycle_through(&g, 1, &[0, 1, 2]), vec![1, 2, 0, 1]);
        assert_eq!(cycle_through(&g, 3, &[3]), vec![3, 3]);
    }

    #[test]
    fn a_long_chain_does_not_overflow() {
        let n = 200_000;
        let g: Vec<Vec<usize>> = (0..n)
            .map(|i| if i + 1 < n { vec![i + 1] } else { vec![0] })
            .collect();
        let c = cyclic_components(&g);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].len(), n);
    }
}
