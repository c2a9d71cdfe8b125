import { render } from 'solid-js/web';
import { App } from './App.tsx';
import './styles/base.css';
import './styles/lists.css';
import './styles/case.css';
import './styles/composer.css';
import './styles/pages.css';
import './styles/sla.css';
import './styles/casework.css';
import './styles/work.css';
import './styles/search.css';

const root = document.getElementById('app');
if (!root) throw new Error('edgecase: #app is missing from index.html');

// The live connection starts once someone is signed in (stores/session.ts).
render(() => <App />, root);
